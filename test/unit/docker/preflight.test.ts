import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { judgeGpuPreflight, parseNvidiaSmi } from '../../../src/docker/preflight';
import { parseContainerList, parseInfo, parseInspect } from '../../../src/docker/parse';
import type { EngineInfo } from '../../../src/docker/types';

const info = (over: Partial<EngineInfo> = {}): EngineInfo => ({
  serverVersion: '27.1.0', apiVersion: '1.46', osType: 'linux', architecture: 'x86_64', name: 'host',
  runtimes: ['runc'], defaultRuntime: 'runc', cdiSpecDirs: undefined, discoveredDevices: undefined, builderVersion: undefined, ...over,
});

describe('GPU preflight verdict', () => {
  test('engine down', () => {
    const v = judgeGpuPreflight({ engineReachable: false, engineError: 'Cannot reach', hostPlatform: 'linux' });
    assert.equal(v.kind, 'engine-down');
    assert.equal(v.canServeGpus, false);
  });
  test('nvidia runtime or CDI devices: ready', () => {
    assert.equal(judgeGpuPreflight({ engineReachable: true, info: info({ runtimes: ['runc', 'nvidia'] }), hostPlatform: 'linux' }).kind, 'ready');
    const cdi = judgeGpuPreflight({ engineReachable: true, info: info({ cdiSpecDirs: ['/etc/cdi'], discoveredDevices: [{ source: 'cdi', id: 'nvidia.com/gpu=0' }] }), hostPlatform: 'linux' });
    assert.equal(cdi.kind, 'ready');
    assert.ok(cdi.details.some((d) => d.includes('nvidia.com/gpu=0')));
  });
  test('driver but no runtime: probably (hook-only toolkit is invisible)', () => {
    const v = judgeGpuPreflight({ engineReachable: true, info: info(), nvidiaSmi: { ok: true, gpus: ['A100'], driverVersion: '550.54' }, hostPlatform: 'linux' });
    assert.equal(v.kind, 'probably');
    assert.ok(v.remedy.some((r) => r.includes('nvidia-ctk')));
  });
  test('no driver, no runtime: says what to install', () => {
    const v = judgeGpuPreflight({ engineReachable: true, info: info(), hostPlatform: 'linux' });
    assert.equal(v.kind, 'no-driver');
    assert.equal(v.canServeGpus, false);
    assert.ok(v.remedy.some((r) => r.includes('NVIDIA Container Toolkit')));
    assert.ok(v.remedy.some((r) => r.includes('CPU')));
  });
  test('nvidia-smi output parsing', () => {
    const r = parseNvidiaSmi('NVIDIA A100-SXM4-80GB, 550.54.15, 81920 MiB\nNVIDIA A100-SXM4-80GB, 550.54.15, 81920 MiB\n');
    assert.equal(r.driverVersion, '550.54.15');
    assert.equal(r.gpus.length, 2);
  });
});

describe('engine JSON validation', () => {
  test('info: required fields checked, optional ones tolerated', () => {
    assert.throws(() => parseInfo({}, {}), /ServerVersion is missing/);
    const i = parseInfo({ ServerVersion: '28.0.0', Runtimes: { runc: {}, nvidia: {} }, CDISpecDirs: ['/etc/cdi'], DiscoveredDevices: [{ Source: 'cdi', ID: 'nvidia.com/gpu=all' }] }, { ApiVersion: '1.48' });
    assert.deepEqual(i.runtimes, ['runc', 'nvidia']);
    assert.equal(i.apiVersion, '1.48');
    assert.deepEqual(i.discoveredDevices, [{ source: 'cdi', id: 'nvidia.com/gpu=all' }]);
  });
  test('inspect and list', () => {
    const c = parseInspect({ Id: 'abc', Name: '/x', State: { Running: true, Status: 'running' }, Config: { Tty: false, Labels: { a: 'b' } }, HostConfig: { ShmSize: 5, DeviceRequests: [{ Driver: '', Count: -1, DeviceIDs: null, Capabilities: [['gpu']] }] }, NetworkSettings: { Ports: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '18080' }] } } });
    assert.equal(c.name, 'x');
    assert.deepEqual(c.ports, [{ containerPort: 8080, hostPort: 18080, hostIp: '127.0.0.1', protocol: 'tcp' }]);
    assert.throws(() => parseInspect({ Name: 'x' }), /Id is missing/);
    const list = parseContainerList([
      { Id: '1', Names: ['/a'], Image: 'i', State: 'running', Labels: { 'modeldock.managed': 'true', 'modeldock.gpus': 'all' }, Ports: [{ PrivatePort: 8080, PublicPort: 1, IP: '0.0.0.0', Type: 'tcp' }, { PrivatePort: 8080, PublicPort: 1, IP: '::', Type: 'tcp' }] },
      { Id: '2', Labels: {} },
      'junk',
    ]);
    assert.equal(list.length, 1);
    assert.equal(list[0]?.gpus, 'all');
    assert.equal(list[0]?.ports.length, 1);
  });
});
