// Offline "VS Code for tests": code-server (VS Code's own server + web workbench, from npm)
// driven by Playwright through Debian's Chromium. It mirrors what @vscode/test-electron does
// on machines that can download VS Code: open a workspace with extensionDevelopmentPath and
// extensionTestsPath, forward the extension host's console, and report the tests' exit code.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync, readFileSync, copyFileSync, mkdtempSync, rmSync, renameSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { format } from 'node:util';
import { join, resolve } from 'node:path';
import { PACKAGES, SetupError } from './prereqs.mjs';

export const CODE_SERVER_VERSION = '4.100.3'; // VS Code 1.100.3, the newest release that installs on Node 20
const RIPGREP_ARCHIVE = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';


/**
 * One cache per machine, outside any clone (like test-electron's), so a fresh clone does not pay
 * the install again: $MODELDOCK_VSCODE_CACHE, else $XDG_CACHE_HOME/modeldock/vscode-test, else
 * ~/.cache/modeldock/vscode-test.
 */
export function cacheRoot() {
  if (process.env.MODELDOCK_VSCODE_CACHE) return resolve(process.env.MODELDOCK_VSCODE_CACHE);
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'modeldock', 'vscode-test');
}

export function codeServerBin() {
  return join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function log(msg) {
  process.stderr.write(`[code-server] ${msg}\n`);
}

/** Installs code-server into the cache once (about a minute), like test-electron's download. */
export function ensureCodeServer() {
  const dir = join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
  const marker = join(dir, '.complete');
  if (existsSync(marker) && existsSync(codeServerBin())) return codeServerBin();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // @vscode/ripgrep would download rg from GitHub; it takes a cached archive instead.
  const rgCache = join(process.env.TMPDIR ?? '/tmp', 'vscode-ripgrep-cache-1.15.11');
  const rgArchive = join(rgCache, RIPGREP_ARCHIVE);
  if (!existsSync(rgArchive)) {
    if (!existsSync('/usr/bin/rg')) throw new SetupError('ripgrep is missing: apt-get install -y ripgrep (or run npm start as root on Debian: it installs it)');
    mkdirSync(rgCache, { recursive: true });
    const staging = mkdtempSync(join(tmpdir(), 'rg-'));
    copyFileSync('/usr/bin/rg', join(staging, 'rg'));
    execFileSync('tar', ['-C', staging, '-czf', rgArchive, 'rg']);
    rmSync(staging, { recursive: true, force: true });
  }
  // npm 11 blocks dependency install scripts unless allowed; code-server's postinstall builds
  // its native modules (node-pty, kerberos, …) and must run.
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'modeldock-code-server-cache', private: true, allowScripts: { 'code-server': true, argon2: true } }, null, 2),
  );
  log(`installing code-server@${CODE_SERVER_VERSION} into ${dir} (once)…`);
  const started = Date.now();
  // Its output goes to a log file: a failed native build prints pages of compiler errors that
  // name no package; the message below does.
  const logFile = join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}-install.log`);
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true' },
  });
  writeFileSync(logFile, `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new SetupError(
      `installing code-server@${CODE_SERVER_VERSION} failed (log: ${logFile}). Its native modules are built here and need: ` +
        `${Object.keys(PACKAGES.start).join(' ')} (Debian package names).`,
    );
  }
  if (!existsSync(codeServerBin())) throw new Error(`code-server install finished but ${codeServerBin()} is missing`);
  writeFileSync(marker, new Date().toISOString());
  log(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return codeServerBin();
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

/** Polls until the server answers, with a deadline. */
async function waitForHttp(url, deadlineMs, isAlive) {
  const until = Date.now() + deadlineMs;
  let lastErr;
  while (Date.now() < until) {
    if (!isAlive()) throw new Error('code-server exited before it answered');
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer at ${url} within ${deadlineMs} ms: ${lastErr}`);
}

export function installVsix(vsixPath, extensionsDir, userDataDir) {
  execFileSync(process.execPath, [codeServerBin(), '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsixPath, '--force'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/**
 * Starts code-server on a free port. `env` is passed to the server and so to the extension
 * host it spawns: the suites read their settings (which suite, test server addresses) from it.
 */
/**
 * `workspaceTrust: true` runs with VS Code's workspace trust on and no prompt, so the folder
 * opens untrusted (restricted mode): the hostile-workspace suite needs exactly that.
 */
export async function startCodeServer({ folder, userDataDir, extensionsDir, env = {}, settings = {}, workspaceTrust = false }) {
  const bin = ensureCodeServer();
  const port = await freePort();
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'security.workspace.trust.enabled': workspaceTrust,
        ...(workspaceTrust
          ? {
              'security.workspace.trust.startupPrompt': 'never',
              'security.workspace.trust.banner': 'never',
              'security.workspace.trust.untrustedFiles': 'open',
              'security.workspace.trust.emptyWindow': false,
            }
          : {}),
        'workbench.enableExperiments': false,
        'chat.disableAIFeatures': true,
        ...settings,
      },
      null,
      2,
    ),
  );
  // code-server's extension host is the "remote" side: settings of machine and machine-overridable
  // scope are read from the remote machine settings too, and once a machine-scoped setting is
  // written (modeldock.kube.kubeconfig from a test) the User file's copies stop counting. The
  // caller's settings go to both files, as a user of a remote would set them.
  mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
  writeFileSync(join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(settings, null, 2));
  const args = [
    bin,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    folder,
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const serverLog = [];
  const keep = (chunk) => {
    serverLog.push(chunk.toString());
    if (serverLog.length > 400) serverLog.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let alive = true;
  child.on('exit', () => {
    alive = false;
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/healthz`, 60_000, () => alive);
  return {
    port,
    base,
    serverLog,
    async stop() {
      if (!alive) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function remoteUri(port, absPath) {
  return `vscode-remote://127.0.0.1:${port}${absPath}`;
}

/**
 * Opens the workbench with an extension test payload and resolves with the exit code that
 * the tests' run() reports through codeAutomationExit.
 */
export async function runExtensionTests({
  server,
  folder,
  extensionDevelopmentPath,
  extensionTestsPath,
  timeoutMs = 15 * 60_000,
  artifactsDir,
  name = 'suite',
  onLog,
  onPage,
  uiAnswersDir,
}) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.MODELDOCK_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  let resolveExit;
  const exited = new Promise((r) => {
    resolveExit = r;
  });
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    // The extension host forwards console calls as (format string, ...values).
    const list = Array.isArray(args) ? args : [args];
    const text = format(...list.map((a) => (typeof a === 'string' || typeof a === 'number' ? a : JSON.stringify(a))));
    const ui = /^MODELDOCK_UI (\{.*\})$/.exec(text);
    if (ui && uiAnswersDir) {
      void answerUi(page, JSON.parse(ui[1]), uiAnswersDir, artifactsDir);
      return;
    }
    onLog?.(type, text);
  });
  await page.exposeFunction('codeAutomationExit', (code) => {
    resolveExit(code);
  });
  if (onPage) onPage(page);
  const payload = [
    ['extensionDevelopmentPath', remoteUri(server.port, extensionDevelopmentPath)],
    ['extensionTestsPath', remoteUri(server.port, extensionTestsPath)],
    ['skipWelcome', 'true'],
  ];
  const url = `${server.base}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  let code;
  let timer;
  try {
    await page.goto(url);
    code = await Promise.race([
      exited,
      new Promise((r) => {
        timer = setTimeout(() => r('timeout'), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (code !== 0 && artifactsDir) {
      mkdirSync(artifactsDir, { recursive: true });
      const shot = join(artifactsDir, `${name}-failure.png`);
      await page.screenshot({ path: shot }).catch(() => undefined);
      writeFileSync(join(artifactsDir, `${name}-code-server.log`), server.serverLog.join(''));
      log(`failure screenshot: ${shot}`);
    }
    await browser.close();
  }
  if (code === 'timeout') throw new Error(`extension tests (${name}) did not finish within ${timeoutMs / 1000} s`);
  return code;
}

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function hashOf(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 12);
}

/**
 * The UI bridge: a test inside the extension host logs `MODELDOCK_UI {"id", "op", ...}` and
 * the launcher answers from the real workbench page into `<answersDir>/<id>.json`, which the
 * test polls for. Ops: text (textContent of all matches of a CSS selector, searched in every
 * frame, webviews included), screenshot (to the artifacts folder), click, press.
 */
async function answerUi(page, req, answersDir, artifactsDir) {
  let answer;
  // `where: { child, text }` keeps the elements that have a `child` whose whole text is `text`.
  const find = (frame) => {
    let loc = frame.locator(req.selector);
    if (req.where) loc = loc.filter({ has: frame.locator(req.where.child, { hasText: new RegExp(`^${req.where.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) });
    return loc;
  };
  try {
    if (req.op === 'text') {
      const texts = [];
      for (const frame of page.frames()) {
        try {
          texts.push(...(await find(frame).allTextContents()));
        } catch {
          // Frames come and go (webviews reload): a detached frame has nothing to say.
        }
      }
      answer = { ok: true, texts };
    } else if (req.op === 'attr') {
      const values = [];
      for (const frame of page.frames()) {
        try {
          for (const el of await find(frame).all()) values.push(await el.getAttribute(req.name));
        } catch {
          // as above
        }
      }
      answer = { ok: true, values };
    } else if (req.op === 'screenshot') {
      mkdirSync(artifactsDir, { recursive: true });
      const file = join(artifactsDir, `${req.name}.png`);
      await page.screenshot({ path: file });
      answer = { ok: true, file };
    } else if (req.op === 'click') {
      let clicked = false;
      for (const frame of page.frames()) {
        const loc = find(frame);
        if ((await loc.count().catch(() => 0)) > 0) {
          await loc.first().click({ timeout: 5000 });
          clicked = true;
          break;
        }
      }
      answer = { ok: clicked, error: clicked ? undefined : `nothing matches ${req.selector}` };
    } else if (req.op === 'press') {
      await page.keyboard.press(req.key);
      answer = { ok: true };
    } else {
      answer = { ok: false, error: `unknown op ${req.op}` };
    }
  } catch (err) {
    answer = { ok: false, error: String(err) };
  }
  mkdirSync(answersDir, { recursive: true });
  writeFileSync(join(answersDir, `${req.id}.json.tmp`), JSON.stringify(answer));
  renameSync(join(answersDir, `${req.id}.json.tmp`), join(answersDir, `${req.id}.json`));
}
