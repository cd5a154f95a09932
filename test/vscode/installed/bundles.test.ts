import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { activated, engineOffersBuildKit, removeFromWorkspace, uiText, waitFor, workspaceRoot } from '../suite/helpers';

const run = promisify(execFile);

// The minified bundles only the packaged VSIX carries, each loaded by the journey that needs it:
// dist/lint.js (lint), dist/webview/webview.js (the wizard), dist/vendor/dockerode*.js and the
// BuildKit session's protos (a build). A broken production bundle fails here, not at a user's.
describe('installed VSIX: the production bundles at work', () => {
  const created: string[] = [];
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeFromWorkspace(...created);
  });

  it('lints a manifest with the bundled linter (diagnostics on the offending value)', async () => {
    await activated();
    const file = 'installed-lint.yaml';
    created.push(file);
    fs.writeFileSync(
      path.join(workspaceRoot().fsPath, file),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: "three"\n  selector:\n    matchLabels: {app: x}\n  template:\n    metadata:\n      labels: {app: x}\n    spec:\n      containers:\n        - name: x\n          image: x:1\n',
    );
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(workspaceRoot(), file));
    await vscode.window.showTextDocument(doc);
    const diags = await waitFor('ModelDock diagnostics on the installed extension', () => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'ModelDock');
      return d.length > 0 ? d : undefined;
    });
    const replicas = diags.find((d) => /replicas/.test(d.message));
    assert.ok(replicas, diags.map((d) => d.message).join('\n'));
    assert.equal(replicas.range.start.line, 5);
  });

  it('opens the wizard from the bundled webview and shows what detection found', async () => {
    await activated();
    await vscode.commands.executeCommand('modeldock.containerize', workspaceRoot());
    await uiText('[data-testid=framework]', /^scikit-learn/);
    await uiText('[data-testid=base-image]', /^python:3\.\d+-slim$/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('builds the scaffolded image through the bundled dockerode, with BuildKit when the engine offers it', async () => {
    await activated();
    const tag = 'modeldock-installed/sklearn-iris:test';
    const res = await vscode.commands.executeCommand<{ outcome: { created: string[]; overwritten: string[] } }>('modeldock.containerize', {
      interactive: false,
      choices: { target: 'cpu', outputs: { dockerfile: true, dockerignore: true, compose: false, kubernetes: false, kserve: false } },
      overwrite: 'overwrite',
      open: false,
    });
    created.push(...res.outcome.created, ...res.outcome.overwritten);
    try {
      const built = await vscode.commands.executeCommand<{ tags: string[]; builder: string } | undefined>('modeldock.docker.build', {
        dockerfile: vscode.Uri.joinPath(workspaceRoot(), 'Dockerfile'),
        tag,
      });
      assert.ok(built, 'the build failed: see test-results/vscode/*-ModelDock.log');
      assert.equal(built.builder, (await engineOffersBuildKit()) ? 'buildkit' : 'classic');
      const { stdout } = await run('docker', ['image', 'inspect', '--format', '{{index .Config.Labels "org.opencontainers.image.vendor"}}', tag]);
      assert.match(stdout, /ModelDock/);
    } finally {
      await run('docker', ['rmi', '-f', tag]).catch(() => undefined);
    }
  });
});
