import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { activated, engineOffersBuildKit, removeFromWorkspace, uiText, waitFor, workspaceRoot } from './helpers';

const run = promisify(execFile);

function predict(url: string): Promise<{ predictions: string[] }> {
  const body = JSON.stringify({ instances: [[5.1, 3.5, 1.4, 0.2]] });
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, timeout: 5000 }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(data) as { predictions: string[] }) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

// Build and Run through the real commands, on the real Docker engine, in the example workspace.
// The integration tier (which runs first in `npm test`) makes the local python:3.11-slim image.
describe('Build and Run (real Docker engine)', () => {
  const tag = 'modeldock-vscode/sklearn-iris:test';
  let containerId: string | undefined;
  const generated: string[] = [];

  before(async function () {
    await run('docker', ['image', 'inspect', 'python:3.11-slim']).catch(() => {
      throw new Error('python:3.11-slim is missing: run the integration tier first (npm test does)');
    });
  });

  after(async () => {
    if (containerId) await run('docker', ['rm', '-f', containerId]).catch(() => undefined);
    await run('docker', ['rmi', '-f', tag]).catch(() => undefined);
    await removeFromWorkspace(...generated);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('builds the scaffolded Dockerfile, runs it, and lists it under Local Containers', async () => {
    await activated();
    const root = workspaceRoot().fsPath;
    const res = await vscode.commands.executeCommand<{ outcome: { created: string[]; overwritten: string[] } }>('modeldock.containerize', {
      interactive: false,
      choices: { target: 'cpu', outputs: { dockerfile: true, dockerignore: true, compose: false, kubernetes: false, kserve: false } },
      // A Dockerfile another test left behind must not be what gets built.
      overwrite: 'overwrite',
      open: false,
    });
    generated.push(...res.outcome.created, ...res.outcome.overwritten);
    assert.ok(fs.existsSync(path.join(root, 'Dockerfile')));

    const built = await vscode.commands.executeCommand<{ imageId?: string; tags: string[]; builder: string }>('modeldock.docker.build', {
      dockerfile: vscode.Uri.file(path.join(root, 'Dockerfile')),
      tag,
    });
    assert.ok(built, 'the build command returned nothing (it failed: see the log)');
    assert.deepEqual(built.tags, [tag]);
    // BuildKit whenever the engine offers it (API 1.39+, dockerd 18.09+): a broken BuildKit
    // session bundle must not pass by falling back to the classic builder.
    assert.equal(built.builder, (await engineOffersBuildKit()) ? 'buildkit' : 'classic');

    const started = await vscode.commands.executeCommand<{ id: string; name: string; url: string }>('modeldock.docker.run', {
      image: tag,
      gpus: { kind: 'none' },
      framework: 'scikit-learn',
    });
    assert.ok(started, 'the run command returned nothing (it failed: see the log)');
    containerId = started.id;
    assert.match(started.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await waitFor('a prediction from the container', () => predict(started.url).catch(() => undefined), 60_000);
    assert.deepEqual(answer.predictions, ['setosa']);

    await vscode.commands.executeCommand('modeldock.views.localContainers.focus');
    await uiText('.monaco-list-row', new RegExp(started.name));
  });
});
