#!/usr/bin/env node
// `npm start`: opens an example ML project in a real VS Code (code-server on 127.0.0.1) with
// ModelDock built from this checkout and installed from its VSIX, and prints the URL.
//   npm start [-- --example pytorch-classifier] [--port 8080] [--check]
// --check starts it, verifies the workbench answers and that ModelDock is installed, and exits
// (used by the tests to keep this command true).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot, ensureCodeServer, installVsix, startCodeServer } from './lib/code-server.mjs';
import { SetupError, ensurePackages } from './lib/prereqs.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const example = opt('--example', 'sklearn-iris');
const check = args.includes('--check');

if (!existsSync(join(repo, 'examples', example))) {
  console.error(`no example named '${example}': try ${readdirSync(join(repo, 'examples')).join(', ')}`);
  process.exit(2);
}

try {
  // A fresh machine: the Debian packages code-server's install needs, then code-server itself
  // (once per machine, in the cache), before anything else can fail halfway.
  ensurePackages('start');
  ensureCodeServer();
} catch (err) {
  console.error(err instanceof SetupError ? `npm start: ${err.message}` : err);
  process.exit(1);
}
execFileSync(process.execPath, [join(repo, 'scripts', 'package.mjs')], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
const home = join(cacheRoot(), 'start');
const extensionsDir = join(home, 'extensions');
const userDataDir = join(home, 'user-data');
const workspace = join(home, 'workspaces', example);
rmSync(extensionsDir, { recursive: true, force: true });
mkdirSync(extensionsDir, { recursive: true });
installVsix(join(repo, 'dist-vsix', 'modeldock.vsix'), extensionsDir, userDataDir);
// A copy, so trying the extension never writes into the repository's examples.
if (!existsSync(workspace)) cpSync(join(repo, 'examples', example), workspace, { recursive: true });

const server = await startCodeServer({ folder: workspace, userDataDir, extensionsDir });
const url = `${server.base}/?folder=${encodeURIComponent(workspace)}`;
const installed = readdirSync(extensionsDir).filter((d) => d.startsWith('modeldock.modeldock-'));
console.log(`ModelDock (${installed.join(', ')}) is running in VS Code at:\n\n  ${url}\n`);

if (check) {
  const res = await fetch(url);
  const ok = res.status === 200 && installed.length === 1;
  console.log(`check: workbench HTTP ${res.status}, extension installed: ${installed.length === 1}`);
  await server.stop();
  process.exit(ok ? 0 : 1);
}
console.log('Press Ctrl+C to stop.');
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
