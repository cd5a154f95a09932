import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { chooseGpuBase } from '../../../src/core/cuda/index';
import { judgeGpuPreflight, judgeImageOnHost, parseNvidiaSmi, runNvidiaSmi, type ImageGpuFacts } from '../../../src/docker/preflight';
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

describe('image vs. the GPUs of this host', () => {
  const facts = (c: ReturnType<typeof chooseGpuBase>): ImageGpuFacts => ({ image: c.image, cuda: c.buildCuda ?? c.cuda, minDriver: c.minDriver, supportedArchs: c.archs.supported });

  test('nvidia-smi output with compute capabilities', () => {
    const r = parseNvidiaSmi('NVIDIA GeForce RTX 5090, 575.51.03, 32607 MiB, 12.0\nNVIDIA H100 80GB HBM3, 575.51.03, 81559 MiB, 9.0\n');
    assert.deepEqual(r.computeCaps, ['12.0', '9.0']);
    assert.equal(parseNvidiaSmi('Tesla T4, 470.82.01, 15109 MiB\n').computeCaps, undefined);
  });

  test('a Blackwell GPU and a cu126 torch image: the "no kernel image" error, before the container runs', () => {
    const smi = parseNvidiaSmi('NVIDIA GeForce RTX 5090, 575.51.03, 32607 MiB, 12.0\n');
    const v = judgeImageOnHost(facts(chooseGpuBase('pytorch', '2.7.1')), smi);
    assert.equal(v.ok, false);
    assert.match(v.problems[0]?.message ?? '', /RTX 5090.*compute capability 12\.0, Blackwell.*no kernel image is available.*blackwell/);
    const fixed = judgeImageOnHost(facts(chooseGpuBase('pytorch', '2.7.1', { gpuArch: 'blackwell' })), smi);
    assert.equal(fixed.ok, true, JSON.stringify(fixed.problems));
  });

  test('mixed GPUs: each distinct capability is compared; a V100 cannot run a cu128 torch', () => {
    const smi = parseNvidiaSmi('Tesla V100-SXM2-32GB, 575.51.03, 32768 MiB, 7.0\nNVIDIA A100-SXM4-80GB, 575.51.03, 81920 MiB, 8.0\nNVIDIA A100-SXM4-80GB, 575.51.03, 81920 MiB, 8.0\n');
    const v = judgeImageOnHost(facts(chooseGpuBase('pytorch', '2.9.1', { cuda: '12.8' })), smi);
    assert.equal(v.problems.filter((p) => p.severity === 'error').length, 1);
    assert.match(v.problems[0]?.message ?? '', /V100.*Volta/);
    assert.ok(v.details.some((d) => /A100.*has kernels/.test(d)));
  });

  test('driver floors: below the CUDA family is an error, below the toolkit a warning', () => {
    const c13 = facts(chooseGpuBase('onnxruntime', '1.27.0'));
    assert.match(judgeImageOnHost(c13, parseNvidiaSmi('NVIDIA L4, 550.54.15, 23034 MiB, 8.9\n')).problems[0]?.message ?? '', /cannot run CUDA 13\.0.*>= 580/);
    const c128 = facts(chooseGpuBase('pytorch', '2.8.0', { cuda: '12.8' }));
    const warn = judgeImageOnHost(c128, parseNvidiaSmi('NVIDIA L4, 550.54.15, 23034 MiB, 8.9\n'));
    assert.equal(warn.ok, true);
    assert.equal(warn.problems[0]?.severity, 'warning');
    assert.match(warn.problems[0]?.message ?? '', /minor-version compatibility/);
  });

  test('no nvidia-smi, or no compute capabilities: nothing is claimed', () => {
    const f = facts(chooseGpuBase('pytorch', '2.7.1'));
    assert.equal(judgeImageOnHost(f, undefined).ok, true);
    assert.ok(judgeImageOnHost(f, undefined).details[0]?.includes('No nvidia-smi'));
    const old = judgeImageOnHost(f, parseNvidiaSmi('Tesla T4, 470.82.01, 15109 MiB\n'));
    assert.ok(old.details.some((d) => /not compared/.test(d)));
  });

  test('runNvidiaSmi asks again without compute_cap on drivers that do not know it', async () => {
    // No GPU on the test machines: a stand-in nvidia-smi on PATH answers like an R470 driver.
    const dir = mkdtempSync(join(tmpdir(), 'cuda-smi-'));
    const bin = join(dir, 'nvidia-smi');
    writeFileSync(bin, '#!/bin/sh\ncase "$1" in *compute_cap*) echo \'Field "compute_cap" is not a valid field to query.\'; exit 2;; esac\necho "Tesla T4, 470.82.01, 15109 MiB"\n');
    chmodSync(bin, 0o755);
    const saved = process.env.PATH;
    process.env.PATH = `${dir}${delimiter}${saved ?? ''}`;
    try {
      const r = await runNvidiaSmi(5000);
      assert.equal(r?.ok, true);
      assert.equal(r?.driverVersion, '470.82.01');
      assert.equal(r?.computeCaps, undefined);
    } finally {
      process.env.PATH = saved;
      rmSync(dir, { recursive: true, force: true });
    }
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
