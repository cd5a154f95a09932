import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { DockerUserError, connectEngine, pickFreePort, planRun, type DockerEngine, type LogChunk } from '../../../src/docker/index';
import { SKIP_NO_DOCKER, dockerCleanup, ensureDockerd, ensureImage } from '../helpers/docker';
import { pollFor } from '../helpers/poll';


describe('running containers', () => {
  let docker = false;
  let engine: DockerEngine | undefined;
  const containers: string[] = [];

  // Without an engine the tests skip with SKIP_NO_DOCKER's reason; under CI ensureDockerd fails
  // the run instead, so these tests always run there.
  before(async () => {
    docker = await ensureDockerd();
    if (!docker) return;
    await ensureImage('local/busybox:1');
    engine = await connectEngine();
  });
  after(async () => {
    engine?.dispose();
    if (docker) await dockerCleanup(containers);
  });

  test('a published port answers HTTP, on a free host port when the default is taken', async (t) => {
    if (!docker || !engine) return t.skip(SKIP_NO_DOCKER);
    // Occupy the preferred port so the picker has to move on.
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const hostPort = await pickFreePort(taken);
      assert.notEqual(hostPort, taken);
      const spec = planRun({
        image: 'local/busybox:1',
        project: 'md-test',
        name: `md-test-http-${process.pid}`,
        ports: [{ containerPort: 8080, hostPort }],
        cmd: ['sh', '-c', 'echo hello-from-modeldock > /www/index.html && exec httpd -f -p 8080 -h /www'],
      });
      const { id } = await engine.createAndStartContainer(spec);
      containers.push(id);
      const body = await pollFor('the HTTP answer', async () => {
        const res = await fetch(`http://127.0.0.1:${hostPort}/index.html`);
        return res.ok ? res.text() : undefined;
      }, 20_000);
      assert.equal(body.trim(), 'hello-from-modeldock');
      const listed = (await engine.listManagedContainers()).find((c) => c.id === id);
      assert.ok(listed, 'the container is listed as ModelDock-managed');
      assert.equal(listed.project, 'md-test');
      assert.ok(listed.ports.some((p) => p.hostPort === hostPort && p.containerPort === 8080));
    } finally {
      blocker.close();
    }
  });

  test('the engine refuses a host port that is in use, with an actionable message', async (t) => {
    if (!docker || !engine) return t.skip(SKIP_NO_DOCKER);
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const spec = planRun({ image: 'local/busybox:1', project: 'md-test', ports: [{ containerPort: 8080, hostPort: taken }], cmd: ['sleep', '30'] });
      const created = await engine.createContainer(spec);
      containers.push(created.id);
      await assert.rejects(engine.startContainer(created.id), (err: unknown) => err instanceof DockerUserError && err.kind === 'port-in-use' && err.message.includes(String(taken)));
    } finally {
      blocker.close();
    }
  });

  test('logs follow across restarts without repeating lines', async (t) => {
    if (!docker || !engine) return t.skip(SKIP_NO_DOCKER);
    const spec = planRun({
      image: 'local/busybox:1',
      project: 'md-test',
      // Each start prints its ordinal; /tmp survives a restart of the same container.
      cmd: ['sh', '-c', 'n=$(cat /tmp/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /tmp/n; echo "boot $n"; echo "err $n" >&2; exec sleep 3600'],
    });
    const { id } = await engine.createAndStartContainer(spec);
    containers.push(id);
    const chunks: LogChunk[] = [];
    const controller = new AbortController();
    const following = engine.followLogs(id, { signal: controller.signal, onChunk: (c) => chunks.push(c) });
    const text = () => chunks.filter((c) => c.stream !== 'system').map((c) => c.text).join('');
    const seen = (line: string) => pollFor(line, async () => text().includes(line), 20_000);

    await seen('boot 1\n');
    await engine.restart(id, 0);
    await seen('boot 2\n');
    await engine.restart(id, 0);
    await seen('boot 3\n');
    await seen('err 3\n');
    controller.abort();
    await following;

    const lines = text().split('\n').filter(Boolean);
    assert.deepEqual(lines.filter((l) => l.startsWith('boot')), ['boot 1', 'boot 2', 'boot 3']);
    assert.ok(chunks.some((c) => c.stream === 'stderr' && c.text === 'err 1\n'), 'stderr is kept apart');
    assert.ok(chunks.some((c) => c.stream === 'system' && c.text.includes('re-attached')) || chunks.filter((c) => c.stream === 'stdout').length >= 3);
  });

  test('a GPU run records the DeviceRequests, then starting it on a GPU-less engine gives the toolkit instructions', async (t) => {
    if (!docker || !engine) return t.skip(SKIP_NO_DOCKER);
    const cases = [
      { gpus: { kind: 'all' as const }, expect: { Count: -1, DeviceIDs: null } },
      { gpus: { kind: 'count' as const, count: 2 }, expect: { Count: 2, DeviceIDs: null } },
      { gpus: { kind: 'devices' as const, ids: ['0', 'GPU-abc'] }, expect: { Count: 0, DeviceIDs: ['0', 'GPU-abc'] } },
    ];
    for (const c of cases) {
      const spec = planRun({ image: 'local/busybox:1', project: 'md-test', gpus: c.gpus, framework: 'pytorch', ipcHost: false, cmd: ['true'] });
      const { id } = await engine.createContainer(spec);
      containers.push(id);
      const inspected = await engine.inspectContainer(id);
      assert.deepEqual(inspected.deviceRequests, [{ Driver: '', Count: c.expect.Count, DeviceIDs: c.expect.DeviceIDs, Capabilities: [['gpu']] }]);
      assert.equal(inspected.shmSize, 1024 * 1024 * 1024, 'PyTorch runs get a 1 GiB /dev/shm');
      assert.equal(inspected.labels['modeldock.managed'], 'true');
      if (c.gpus.kind === 'all') {
        await assert.rejects(engine.startContainer(id), (err: unknown) => {
          assert.ok(err instanceof DockerUserError);
          assert.equal(err.kind, 'gpu-unavailable');
          assert.match(err.message, /could not select device driver "" with capabilities: \[\[gpu\]\]/);
          assert.match(err.hint ?? '', /NVIDIA Container Toolkit/);
          assert.match(err.hint ?? '', /nvidia-ctk runtime configure --runtime=docker/);
          return true;
        });
      }
    }
    const { verdict } = await engine.preflightGpu();
    assert.equal(verdict.canServeGpus, false);
    assert.ok(verdict.remedy.some((r) => /NVIDIA Container Toolkit/.test(r)));
  });

  test('stop and remove', async (t) => {
    if (!docker || !engine) return t.skip(SKIP_NO_DOCKER);
    const { id } = await engine.createAndStartContainer(planRun({ image: 'local/busybox:1', project: 'md-test', cmd: ['sleep', '3600'] }));
    containers.push(id);
    await engine.stop(id, 0);
    assert.equal((await engine.inspectContainer(id)).running, false);
    await engine.stop(id, 0); // already stopped: not an error
    await engine.remove(id);
    await assert.rejects(engine.inspectContainer(id), (err: unknown) => err instanceof DockerUserError && err.kind === 'container-not-found');
  });
});
