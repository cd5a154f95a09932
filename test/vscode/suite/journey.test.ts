import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { Prompt } from '../../../src/platform/prompts';
import { activated, removeFromWorkspace, ui, uiText, waitFor, workspaceRoot } from './helpers';
import { ONNX, initializer, model, valueInfo } from '../../unit/scaffold/protobuf';

// The journey the issue describes, from the wizard's first click to a running container, on the
// real engine: the plan the user makes (GPUs, ports, shm) must arrive at Run unchanged.
//
// No image registry is reachable, so the two vendor base images are stand-ins built here, labelled
// as such: pytorch/pytorch carries the bare Debian Python plus torch/torchvision *metadata only*
// (pip sees the framework the real image ships; the model server itself cannot start without the
// real torch, so this test checks what Docker was asked for, not inference), and tritonserver is a
// busybox httpd answering Triton's /v2/health/ready on 8000 (the port plumbing is what is tested).
// Everything else is real: the scaffold, the build (pip installs from the local PyPI wheelhouse),
// the GPU request on this GPU-less engine and the engine's refusal, the CPU fallback, the sklearn
// example's prediction.

const run = promisify(execFile);
const GIB = 1024 * 1024 * 1024;

async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args, { maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
}

async function buildStandIn(tag: string, dockerfile: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-standin-'));
  try {
    fs.writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
    await run('docker', ['build', '-q', '-t', tag, dir], { maxBuffer: 16 * 1024 * 1024 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface Inspected {
  Id: string;
  State: { Status: string; StartedAt: string };
  HostConfig: { ShmSize: number; DeviceRequests: { Count: number; Capabilities: string[][] }[] | null; PortBindings: Record<string, { HostPort: string }[]> | null };
}

async function containersOf(image: string): Promise<Inspected[]> {
  const ids = (await docker('ps', '-a', '-q', '--filter', `ancestor=${image}`)).split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  return JSON.parse(await docker('inspect', ...ids)) as Inspected[];
}

async function removeImageAndContainers(image: string): Promise<void> {
  const ids = (await docker('ps', '-a', '-q', '--filter', `ancestor=${image}`).catch(() => '')).split('\n').filter(Boolean);
  if (ids.length) await run('docker', ['rm', '-f', ...ids]).catch(() => undefined);
  await run('docker', ['rmi', '-f', image]).catch(() => undefined);
}

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, timeout: 5000 }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: data ? (JSON.parse(data) as unknown) : null }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function click(selector: string): Promise<void> {
  const a = await ui({ op: 'click', selector });
  assert.ok(a.ok, a.error);
}

async function tickOverwrite(): Promise<void> {
  await click('vscode-checkbox[data-testid=overwrite]');
  await waitFor('the overwrite box ticked', async () => ((await ui({ op: 'attr', selector: 'vscode-checkbox[data-testid=overwrite]', name: 'checked' })).values?.[0] === '' ? true : undefined));
}

describe('journey: wizard → plan → Build & Run on the real engine', function () {
  // Real builds that install real packages, on a shared 2-core machine.
  this.timeout(600_000);
  const created: string[] = [];
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeFromWorkspace(...created);
    // The workspace's own detection saw the sub-projects: wait until it no longer does.
    const { api } = await activated();
    await waitFor('detection without the journey sub-projects', () => (api.detection()?.primary === 'scikit-learn' ? true : undefined), 60_000);
  });

  it('PyTorch with a 2-GPU plan: the engine is asked for 2 GPUs and 1 GiB shm, the GPU preflight speaks, and Run on CPU starts it', async () => {
    const { api, ext } = await activated();
    const sub = 'journey-pytorch';
    const image = `${sub}:0.1.0`;
    created.push(sub);
    fs.cpSync(path.join(ext.extensionPath, 'examples', 'pytorch-classifier'), path.join(workspaceRoot().fsPath, sub), { recursive: true });
    await buildStandIn(
      'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime',
      [
        'FROM python:3.11-slim',
        'LABEL org.modeldock.test.standin="pytorch/pytorch stand-in: Debian Python with torch/torchvision metadata only (no registry here)"',
        'RUN set -e; d=$(python3 -c "import sysconfig; print(sysconfig.get_paths()[\'purelib\'])"); \\',
        '  for p in torch:2.3.1 torchvision:0.18.1; do n=${p%%:*}; v=${p##*:}; mkdir -p "$d/$n-$v.dist-info"; \\',
        '  printf "Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n" "$n" "$v" > "$d/$n-$v.dist-info/METADATA"; echo stand-in > "$d/$n-$v.dist-info/INSTALLER"; : > "$d/$n-$v.dist-info/RECORD"; done',
        '',
      ].join('\n'),
    );
    const prompts: Prompt[] = [];
    let refused: Inspected | undefined;
    const answering = api.test.answerPrompts(async (p) => {
      prompts.push(p);
      if (p.buttons.includes('Try with GPUs Anyway')) return 'Try with GPUs Anyway';
      if (p.buttons.includes('Run on CPU')) {
        // The engine created the container with the GPUs and refused to start it: it is kept
        // while the user decides, so what Docker was asked for can be read back.
        refused = (await containersOf(image)).find((c) => c.HostConfig.DeviceRequests?.length);
        return 'Run on CPU';
      }
      return undefined;
    });
    try {
      await vscode.commands.executeCommand('modeldock.containerize', vscode.Uri.joinPath(workspaceRoot(), sub));
      await uiText('[data-testid=framework]', /^PyTorch/);
      await uiText('[data-testid=base-image]', /^pytorch\/pytorch:2\.3\.1-cuda12\.1-cudnn8-runtime$/);
      // Two GPUs, typed into the wizard's field.
      await click('vscode-textfield#gpus');
      await ui({ op: 'press', key: 'Control+a' });
      await ui({ op: 'press', key: '2' });
      await tickOverwrite();
      await click('vscode-button[data-testid=build-run]');
      const running = await waitFor(
        () => `a container of ${image} started without GPUs; prompts so far: ${prompts.map((p) => p.message).join(' | ')}`,
        async () => (await containersOf(image)).find((c) => !c.HostConfig.DeviceRequests?.length && c.State.StartedAt && !c.State.StartedAt.startsWith('0001')),
        300_000,
        500,
      );
      // 1. The preflight said this engine cannot serve GPUs, before anything was created.
      assert.equal(prompts[0]?.severity, 'warning', prompts.map((p) => p.message).join(' | '));
      assert.deepEqual([...(prompts[0]?.buttons ?? [])].sort(), ['Run on CPU', 'Try with GPUs Anyway']);
      // 2. The plan's GPUs and shm reached the engine: DeviceRequests count 2, 1 GiB /dev/shm.
      assert.ok(refused, 'no container was created with a GPU request');
      assert.equal(refused.HostConfig.DeviceRequests?.[0]?.Count, 2);
      assert.deepEqual(refused.HostConfig.DeviceRequests?.[0]?.Capabilities, [['gpu']]);
      assert.equal(refused.HostConfig.ShmSize, GIB);
      // 3. The engine's refusal was translated and offered the CPU fallback, which ran the same plan on CPU.
      assert.match(prompts[1]?.message ?? '', /GPU|NVIDIA|device driver/i);
      assert.equal(running.HostConfig.ShmSize, GIB, 'the CPU run keeps the plan\'s shm');
      assert.ok(running.HostConfig.PortBindings?.['8080/tcp']?.[0]?.HostPort, 'the plan\'s port is published');
      assert.equal((await containersOf(image)).some((c) => c.Id === refused?.Id), false, 'the refused container was removed');
      // The generated Dockerfile's dependency layer installed for real from the index.
      assert.match(fs.readFileSync(path.join(workspaceRoot().fsPath, sub, 'requirements.modeldock-gpu.txt'), 'utf8'), /^torch==2\.3\.1$/m);
    } finally {
      answering.dispose();
      await removeImageAndContainers(image);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      // The next test detects the workspace root: a PyTorch copy left in it would win.
      await removeFromWorkspace(sub);
    }
  });

  it('a Triton plan is published on its HTTP port, and the server answers through it', async () => {
    const { api, ext } = await activated();
    const sub = 'journey-triton';
    const image = `${sub}:0.1.0`;
    created.push(sub);
    const dir = path.join(workspaceRoot().fsPath, sub);
    fs.cpSync(path.join(ext.extensionPath, 'examples', 'pytorch-classifier'), dir, { recursive: true });
    fs.mkdirSync(path.join(dir, 'export'));
    fs.writeFileSync(
      path.join(dir, 'export', 'classifier.onnx'),
      model({ initializers: [initializer('fc.weight', 4096)], inputs: [valueInfo('pixels', ONNX.FLOAT, ['batch', 3, 32, 32])], outputs: [valueInfo('logits', ONNX.FLOAT, ['batch', 10])] }),
    );
    const answering = api.test.answerPrompts((p) => (p.buttons.includes('Run on CPU') ? 'Run on CPU' : undefined));
    try {
      await vscode.commands.executeCommand('modeldock.containerize', vscode.Uri.file(dir));
      await uiText('vscode-radio[data-testid=runtime-triton]', /Triton/);
      await click('vscode-radio[data-testid=runtime-triton]');
      const base = await uiText('[data-testid=base-image]', /^nvcr\.io\/nvidia\/tritonserver:\d\d\.\d\d-py3$/);
      await uiText('[data-testid=plan-ports]', /^8000 \(http\), 8001 \(grpc\), 8002 \(metrics\)$/);
      await buildStandIn(
        base,
        [
          'FROM local/busybox:1',
          'LABEL org.modeldock.test.standin="tritonserver stand-in: busybox httpd answering /v2/health/ready on 8000 (no NGC registry here)"',
          "RUN mkdir -p /www/v2/health /usr/local/bin && echo ok > /www/v2/health/ready && printf '#!/bin/sh\\nexec httpd -f -p 8000 -h /www\\n' > /usr/local/bin/tritonserver && chmod 755 /usr/local/bin/tritonserver",
          '',
        ].join('\n'),
      );
      await tickOverwrite();
      await click('vscode-button[data-testid=build-run]');
      const c = await waitFor(`a running container of ${image}`, async () => (await containersOf(image)).find((x) => x.State.Status === 'running'), 180_000, 500);
      const http8000 = c.HostConfig.PortBindings?.['8000/tcp']?.[0]?.HostPort;
      assert.ok(http8000, `Triton's HTTP port is published: ${JSON.stringify(c.HostConfig.PortBindings)}`);
      assert.ok(c.HostConfig.PortBindings?.['8001/tcp'] && c.HostConfig.PortBindings?.['8002/tcp'], 'gRPC and metrics published too');
      assert.notEqual(http8000, '8080');
      assert.equal(await waitFor('Triton\'s health route through the published port', () => get(`http://127.0.0.1:${http8000}/v2/health/ready`).catch(() => undefined), 30_000), 200);
    } finally {
      answering.dispose();
      await removeImageAndContainers(image);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      // The next test detects the workspace root: a PyTorch copy left in it would win.
      await removeFromWorkspace(sub);
    }
  });

  it('the sklearn example, built through the wizard, answers POST /predict', async () => {
    const image = 'sklearn-iris:0.1.0';
    const generated = ['Dockerfile', '.dockerignore', 'compose.yaml', 'k8s'];
    const { api } = await activated();
    // The earlier tests' project copies are gone: detection is back to the example alone.
    await waitFor('detection of the example alone', () => (api.detection()?.primary === 'scikit-learn' ? true : undefined), 60_000);
    try {
      await vscode.commands.executeCommand('modeldock.containerize', workspaceRoot());
      await uiText('[data-testid=framework]', /^scikit-learn/);
      await tickOverwrite();
      await click('vscode-button[data-testid=build-run]');
      const c = await waitFor(`a running container of ${image}`, async () => (await containersOf(image)).find((x) => x.State.Status === 'running'), 300_000, 500);
      const port = c.HostConfig.PortBindings?.['8080/tcp']?.[0]?.HostPort;
      assert.ok(port);
      const answer = await waitFor('a prediction', () => post(`http://127.0.0.1:${port}/predict`, { instances: [[5.1, 3.5, 1.4, 0.2]] }).catch(() => undefined), 60_000, 500);
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.json, { predictions: ['setosa'] });
    } finally {
      await removeImageAndContainers(image);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await removeFromWorkspace(...generated);
    }
  });
});
