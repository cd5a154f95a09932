#!/usr/bin/env node
// The extension-host tier, offline: runs test/vscode/suite inside a real VS Code (code-server)
// with the development folder, then test/vscode/installed against the packaged VSIX.
//   node scripts/run-vscode-tests.mjs [--only dev|untrusted|installed] [--grep PATTERN] [--vsix PATH]
// --vsix: test this packaged VSIX (npm test passes the one its dist tier built) instead of
// packaging a new one.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer, installVsix, runExtensionTests, startCodeServer, tempDir } from './lib/code-server.mjs';
import { dockerBridgeAddress } from './lib/docker-bridge.mjs';
import { ensureWheelhouse, serveWheelhouse } from './lib/wheelhouse.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const grep = args.includes('--grep') ? args[args.indexOf('--grep') + 1] : undefined;
const givenVsix = args.includes('--vsix') ? resolve(args[args.indexOf('--vsix') + 1]) : undefined;
const artifacts = join(repo, 'test-results', 'vscode');
mkdirSync(artifacts, { recursive: true });

// Every temp folder this run makes, removed at the end (artifacts worth keeping are copied to
// test-results/ first).
const temps = [];
function tracked(prefix) {
  const dir = tempDir(prefix);
  temps.push(dir);
  return dir;
}

function workspaceCopy(example) {
  const dir = join(tracked('modeldock-ws-'), example);
  cpSync(join(repo, 'examples', example), dir, { recursive: true });
  return dir;
}

const results = [];

/** Keeps ModelDock's own log (the LogOutputChannel's file) with the test artifacts. */
function copyLogs(userDataDir, name) {
  const found = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/ModelDock\.log$/.test(e.name)) found.push(p);
    }
  };
  try {
    walk(join(userDataDir, 'logs'));
  } catch {
    return;
  }
  for (const [i, f] of found.entries()) copyFileSync(f, join(artifacts, `${name}-ModelDock${i ? `-${i}` : ''}.log`));
}

async function runSuite({ name, suite, folder, extensionDevelopmentPath, extensionsDir, env = {}, settings = {}, workspaceTrust = false }) {
  const userDataDir = tracked('modeldock-user-');
  const uiAnswersDir = tracked('modeldock-ui-');
  const started = Date.now();
  const server = await startCodeServer({
    folder,
    userDataDir,
    extensionsDir: extensionsDir ?? tracked('modeldock-ext-'),
    env: { MODELDOCK_UI_ANSWERS: uiAnswersDir, MODELDOCK_TEST_SUITE: suite, MODELDOCK_TEST_ARTIFACTS: artifacts, ...(grep ? { MODELDOCK_TEST_GREP: grep } : {}), ...env },
    settings,
    workspaceTrust,
  });
  let result = { suite: name, passed: 0, failed: 0, pending: 0 };
  let code;
  try {
    code = await runExtensionTests({
      server,
      folder,
      extensionDevelopmentPath,
      extensionTestsPath: join(repo, 'dist-test', 'vscode', 'index.js'),
      artifactsDir: artifacts,
      uiAnswersDir,
      name,
      onLog: (type, text) => {
        const m = /MODELDOCK_RESULT (\{.*\})/.exec(text);
        if (m) result = { ...JSON.parse(m[1]), suite: name };
        // Drop the workbench's noise about the marketplace it cannot reach.
        if (/open-vsx\.org|ENOTFOUND|marketplace/i.test(text)) return;
        process.stdout.write(`${text}\n`);
      },
    });
  } finally {
    await server.stop();
    copyLogs(userDataDir, name);
  }
  if (code !== 0 && result.failed === 0) result.failed = 1; // run() rejected before mocha reported
  result.seconds = (Date.now() - started) / 1000;
  results.push(result);
  console.log(`[${name}] exit code ${code}, ${result.passed} passed, ${result.failed} failed, ${result.pending ?? 0} pending (${result.seconds.toFixed(1)} s)`);
}

ensureCodeServer();

// Images built in the extension host (Build Image, the wizard's Build & Run) install their Python
// packages for real, from the test wheelhouse: builds run on the engine's default bridge, so the
// index listens on the bridge's gateway address, and the user settings of every suite point the
// pip mirror settings at it (exactly what a user behind a corporate mirror sets).
const bridge = dockerBridgeAddress();
const index = await serveWheelhouse(await ensureWheelhouse({ log: (m) => console.log(`[wheelhouse] ${m}`) }), { host: bridge });
const pipSettings = {
  'modeldock.docker.pipIndexUrl': `${index.url}`,
  'modeldock.docker.pipTrustedHost': bridge,
  'modeldock.docker.pipExtraIndexUrl': `${index.url}`,
};
console.log(`[wheelhouse] index for the suites' image builds: ${index.url}`);
if (!existsSync(join(repo, 'dist-test', 'vscode', 'index.js')) || !existsSync(join(repo, 'dist', 'extension.js'))) {
  execFileSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { cwd: repo, stdio: 'inherit' });
}

if (!only || only === 'dev') {
  await runSuite({ name: 'extension-host (dev)', suite: 'suite', folder: workspaceCopy('sklearn-iris'), extensionDevelopmentPath: repo, settings: pipSettings });
}

if (!only || only === 'untrusted') {
  // A hostile repository opened untrusted: the suite plants the malicious settings, kubeconfig and
  // symlinks itself; the user's own kubeconfig (KUBECONFIG) lives outside the workspace.
  const userHome = tracked('modeldock-user-home-');
  await runSuite({
    name: 'extension-host (untrusted workspace)',
    suite: 'untrusted',
    folder: workspaceCopy('sklearn-iris'),
    extensionDevelopmentPath: repo,
    workspaceTrust: true,
    env: { KUBECONFIG: join(userHome, 'kubeconfig'), MODELDOCK_TEST_OUTSIDE: tracked('modeldock-outside-') },
  });
}

if (!only || only === 'installed') {
  // The VSIX build is a production build: rebuild the dev bundle afterwards for the next run.
  if (!givenVsix) execFileSync(process.execPath, [join(repo, 'scripts', 'package.mjs')], { cwd: repo, stdio: 'inherit' });
  const vsix = givenVsix ?? join(repo, 'dist-vsix', 'modeldock.vsix');
  if (!existsSync(vsix)) throw new Error(`no VSIX at ${vsix}`);
  const extensionsDir = tracked('modeldock-installed-ext-');
  const userDataDir = tracked('modeldock-installed-user-');
  installVsix(vsix, extensionsDir, userDataDir);
  rmSync(userDataDir, { recursive: true, force: true });
  await runSuite({
    name: 'extension-host (installed VSIX)',
    suite: 'installed',
    folder: workspaceCopy('sklearn-iris'),
    extensionDevelopmentPath: join(repo, 'test', 'vscode', 'host-extension'),
    extensionsDir,
    env: { MODELDOCK_EXPECT_EXTENSIONS_DIR: extensionsDir },
    settings: pipSettings,
  });
  if (!givenVsix) execFileSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { cwd: repo, stdio: 'inherit' });
}

await index.close();
for (const d of temps) rmSync(d, { recursive: true, force: true });

const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const pending = results.reduce((n, r) => n + (r.pending ?? 0), 0);
console.log(`MODELDOCK_TIER ${JSON.stringify({ tier: 'vscode', passed, failed, pending })}`);
process.exit(failed > 0 ? 1 : 0);
