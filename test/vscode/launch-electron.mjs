#!/usr/bin/env node
// The ecosystem-standard launcher: downloads VS Code (desktop, Electron) with
// @vscode/test-electron and runs the same mocha suite as the offline code-server launcher.
// It needs internet access to download VS Code, which CI here does not have; CI uses
// scripts/run-vscode-tests.mjs instead. Usage: npm run test:vscode:electron
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const workspace = join(mkdtempSync(join(tmpdir(), 'modeldock-ws-')), 'sklearn-iris');
cpSync(join(repo, 'examples', 'sklearn-iris'), workspace, { recursive: true });

try {
  await runTests({
    version: process.env.MODELDOCK_VSCODE_VERSION ?? '1.100.3',
    extensionDevelopmentPath: repo,
    extensionTestsPath: join(repo, 'dist-test', 'vscode', 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome'],
    extensionTestsEnv: { MODELDOCK_TEST_SUITE: 'suite', MODELDOCK_TEST_ARTIFACTS: join(repo, 'test-results', 'vscode') },
  });
} catch (err) {
  console.error(`extension tests failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
