import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { ONE_GIB, parseGpuRequest, pickFreePort, planRun } from '../../../src/docker/runPlan';

describe('planRun', () => {
  test('ports, env, mounts, HF cache, labels', () => {
    const spec = planRun({
      image: 'iris:abc123',
      project: 'iris',
      name: 'Iris Server!',
      ports: [{ containerPort: 8080, hostPort: 18080 }],
      env: { MODEL_PATH: '/models/m.pkl' },
      mounts: [{ hostPath: '/work/models', containerPath: '/models', readOnly: true }],
      hfCacheDir: '/home/ana/.cache/huggingface',
      cmd: ['python', 'serve.py'],
    });
    assert.deepEqual(spec, {
      Image: 'iris:abc123',
      name: 'iris-server',
      Labels: { 'modeldock.managed': 'true', 'modeldock.project': 'iris' },
      Tty: false,
      Env: ['MODEL_PATH=/models/m.pkl', 'HF_HOME=/root/.cache/huggingface'],
      Cmd: ['python', 'serve.py'],
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: {
        PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '18080' }] },
        Binds: ['/work/models:/models:ro', '/home/ana/.cache/huggingface:/root/.cache/huggingface'],
      },
    });
  });

  test('GPU requests map to DeviceRequests like docker run --gpus', () => {
    const all = planRun({ image: 'x', project: 'p', gpus: { kind: 'all' } });
    assert.deepEqual(all.HostConfig.DeviceRequests, [{ Driver: '', Count: -1, DeviceIDs: null, Capabilities: [['gpu']], Options: {} }]);
    assert.equal(all.Labels['modeldock.gpus'], 'all');
    assert.equal(planRun({ image: 'x', project: 'p', gpus: { kind: 'count', count: 2 } }).HostConfig.DeviceRequests?.[0]?.Count, 2);
    const ids = planRun({ image: 'x', project: 'p', gpus: { kind: 'devices', ids: ['0', '2'] } });
    assert.deepEqual(ids.HostConfig.DeviceRequests?.[0]?.DeviceIDs, ['0', '2']);
    assert.equal(ids.Labels['modeldock.gpus'], 'device=0,2');
    assert.equal(planRun({ image: 'x', project: 'p' }).HostConfig.DeviceRequests, undefined);
  });

  test('shm: 1 GiB for PyTorch by default, explicit wins, none with --ipc=host', () => {
    assert.equal(planRun({ image: 'x', project: 'p', framework: 'pytorch' }).HostConfig.ShmSize, ONE_GIB);
    assert.equal(planRun({ image: 'x', project: 'p', framework: 'sklearn' }).HostConfig.ShmSize, undefined);
    assert.equal(planRun({ image: 'x', project: 'p', framework: 'sklearn', shmSizeBytes: 123 }).HostConfig.ShmSize, 123);
    const ipc = planRun({ image: 'x', project: 'p', framework: 'pytorch', ipcHost: true });
    assert.equal(ipc.HostConfig.IpcMode, 'host');
    assert.equal(ipc.HostConfig.ShmSize, undefined);
  });

  test('user labels cannot override the managed labels', () => {
    const spec = planRun({ image: 'x', project: 'p', labels: { 'modeldock.managed': 'false', team: 'ml' } });
    assert.equal(spec.Labels['modeldock.managed'], 'true');
    assert.equal(spec.Labels.team, 'ml');
  });

  test('GPU setting parsing', () => {
    assert.deepEqual(parseGpuRequest('all'), { kind: 'all' });
    assert.deepEqual(parseGpuRequest(2), { kind: 'count', count: 2 });
    assert.deepEqual(parseGpuRequest('none'), { kind: 'none' });
    assert.deepEqual(parseGpuRequest('device=0,GPU-1a'), { kind: 'devices', ids: ['0', 'gpu-1a'] });
    assert.throws(() => parseGpuRequest('lots'), /Unrecognised GPU request/);
  });

  test('pickFreePort skips a taken port', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const taken = (server.address() as { port: number }).port;
    try {
      const port = await pickFreePort(taken);
      assert.notEqual(port, taken);
      assert.ok(port > 0);
    } finally {
      server.close();
    }
  });
});
