import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activated } from './helpers';

describe('activation', () => {
  it('activates and reports its activation time', async () => {
    const { ext, api, wallMs, wasActive } = await activated();
    assert.ok(ext.isActive);
    assert.equal(typeof api.activationMs, 'number');
    assert.ok(api.activationMs > 0 && api.activationMs < 5_000, `activate() took ${api.activationMs} ms`);
    console.log(
      `ACTIVATION activate()=${api.activationMs.toFixed(1)} ms; getExtension().activate() wall=${wallMs.toFixed(1)} ms` +
        (wasActive ? ' (already active via workspaceContains at startup)' : ''),
    );
  });

  it('registers every contributed command', async () => {
    const { ext } = await activated();
    const contributed = (ext.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.ok(contributed.includes('modeldock.containerize'));
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });

  it('contributes the Clusters view in its own activity-bar container', async () => {
    const { ext } = await activated();
    const views = ext.packageJSON.contributes.views.modeldock as { id: string; name: string }[];
    assert.ok(views.some((v) => v.id === 'modeldock.views.cluster' && v.name === 'Clusters'));
    // The view's focus command exists only when the workbench registered the view.
    await vscode.commands.executeCommand('modeldock.views.cluster.focus');
  });

  it('declares limited support for untrusted workspaces', async () => {
    const { ext } = await activated();
    assert.equal(ext.packageJSON.capabilities.untrustedWorkspaces.supported, 'limited');
  });

  it('does not load dockerode or @kubernetes/client-node at activation', async () => {
    const { ext } = await activated();
    const vendorDir = path.join(ext.extensionPath, 'dist', 'vendor');
    const loaded = Object.keys(require.cache).filter((k) => k.startsWith(vendorDir) || /[\\/]node_modules[\\/](dockerode|@kubernetes[\\/]client-node)[\\/]/.test(k));
    assert.deepEqual(loaded, [], `heavy modules loaded at activation: ${loaded.join(', ')}`);
    const extensionModule = Object.keys(require.cache).find((k) => k === path.join(ext.extensionPath, 'dist', 'extension.js'));
    assert.ok(extensionModule, 'dist/extension.js should be in require.cache (otherwise this check proves nothing)');
  });
});
