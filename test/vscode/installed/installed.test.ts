import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelDockApi } from '../../../src/extension';

// Runs with a throw-away development extension (test/vscode/host-extension), so the
// ModelDock under test is the one code-server installed from the packaged VSIX.
describe('installed VSIX', () => {
  it('is installed from the VSIX, not loaded from the development folder', () => {
    const ext = vscode.extensions.getExtension<ModelDockApi>('modeldock.modeldock');
    assert.ok(ext, 'modeldock.modeldock is not installed');
    const expected = process.env.MODELDOCK_EXPECT_EXTENSIONS_DIR;
    assert.ok(expected, 'launcher must say where it installed the VSIX');
    assert.ok(ext.extensionPath.startsWith(expected), `${ext.extensionPath} is not under ${expected}`);
    // The allowlist keeps sources and tests out of the package.
    assert.ok(!fs.existsSync(path.join(ext.extensionPath, 'src')), 'src/ was packaged');
    assert.ok(!fs.existsSync(path.join(ext.extensionPath, 'node_modules')), 'node_modules/ was packaged');
    assert.ok(fs.existsSync(path.join(ext.extensionPath, 'dist', 'extension.js')));
  });

  it('activates on the ML workspace and registers its commands', async () => {
    const ext = vscode.extensions.getExtension<ModelDockApi>('modeldock.modeldock')!;
    const t0 = performance.now();
    const api = await ext.activate();
    const wall = performance.now() - t0;
    assert.ok(ext.isActive);
    console.log(`ACTIVATION (installed VSIX) activate()=${api.activationMs.toFixed(1)} ms; wall=${wall.toFixed(1)} ms`);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const c of ext.packageJSON.contributes.commands as { command: string }[]) {
      assert.ok(registered.has(c.command), `${c.command} not registered`);
    }
  });

  it('ships a production bundle (minified, no source maps)', () => {
    const ext = vscode.extensions.getExtension('modeldock.modeldock')!;
    const bundle = path.join(ext.extensionPath, 'dist', 'extension.js');
    assert.ok(!fs.existsSync(`${bundle}.map`), 'source map shipped');
    const text = fs.readFileSync(bundle, 'utf8');
    // Minified code keeps newlines only inside template literals: lines are very long on average.
    const lines = text.split('\n').length;
    const average = text.length / lines;
    assert.ok(average > 400, `dist/extension.js averages ${average.toFixed(0)} characters a line over ${lines} lines: not minified`);
    assert.doesNotMatch(text, /^\/\/ src\//m, 'module path comments of a development build');
  });
});
