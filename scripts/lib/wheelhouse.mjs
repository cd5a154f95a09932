#!/usr/bin/env node
// A wheelhouse of real PyPI wheels for the integration tests, and a PEP 503 "simple" index that
// serves it on 127.0.0.1.
//
// Image builds cannot use the host's pip settings (its CA bundle, its proxy), so the tests build
// with `--network host` and pass `PIP_INDEX_URL=http://127.0.0.1:PORT/simple` as a build
// argument: pip inside the image then installs every package, for real, from this index.
//
// The pinned sets live in test/fixtures/images/wheelhouse/<set>.txt (every transitive
// dependency, name==version with its sha256; generated from <set>.in by `lock`). The wheels are
// downloaded once per machine into ~/.cache/modeldock/wheelhouse/<key>/, where <key> hashes the
// pinned sets and the target platform: a changed pin downloads a new wheelhouse.
//
// CLI:
//   node scripts/lib/wheelhouse.mjs ensure      download the wheelhouse unless cached (CI step)
//   node scripts/lib/wheelhouse.mjs lock [SET]  re-resolve <set>.in into <set>.txt (needs PyPI)
//   node scripts/lib/wheelhouse.mjs serve       serve the index until interrupted
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LOCK_DIR = join(REPO, 'test', 'fixtures', 'images', 'wheelhouse');

/**
 * What the wheels must fit: the bare base image's CPython 3.11 on Debian 12 (glibc 2.36,
 * x86_64). Every manylinux tag its pip accepts is listed, because pip 23 does not expand
 * `--platform manylinux_2_36_x86_64` to the older tags (the image test compares this list with
 * the image's own `pip debug --verbose`).
 */
export const TARGET = Object.freeze({
  python: '3.11',
  implementation: 'cp',
  abis: ['cp311', 'abi3', 'none'],
  platforms: [
    ...Array.from({ length: 36 - 5 + 1 }, (_, i) => `manylinux_2_${36 - i}_x86_64`),
    'manylinux2014_x86_64',
    'manylinux2010_x86_64',
    'manylinux1_x86_64',
  ],
});
const RECIPE = 1;

function targetArgs() {
  const args = ['--only-binary=:all:', '--python-version', TARGET.python, '--implementation', TARGET.implementation];
  for (const a of TARGET.abis) args.push('--abi', a);
  for (const p of TARGET.platforms) args.push('--platform', p);
  return args;
}

/** $MODELDOCK_WHEELHOUSE_CACHE, else $XDG_CACHE_HOME/modeldock/wheelhouse, else ~/.cache/modeldock/wheelhouse. */
export function cacheRoot() {
  if (process.env.MODELDOCK_WHEELHOUSE_CACHE) return resolve(process.env.MODELDOCK_WHEELHOUSE_CACHE);
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'modeldock', 'wheelhouse');
}

/** The pinned sets: { name, file, text } for every <set>.txt, sorted by name. */
export function lockedSets(dir = LOCK_DIR) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => ({ name: f.slice(0, -4), file: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
}

/** Hash of the pinned sets and the target: the wheelhouse's cache key. */
export function wheelhouseKey(sets = lockedSets()) {
  const h = createHash('sha256');
  h.update(JSON.stringify({ recipe: RECIPE, target: TARGET, sets: sets.map((s) => [s.name, s.text]) }));
  return h.digest('hex').slice(0, 16);
}

/** PEP 503 normalised project name. */
export function normalizeName(name) {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** `name==version` pins of a lock file (comments, hashes and continuations dropped). */
export function parseLock(text) {
  const pins = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([A-Za-z0-9.+!_-]+)/.exec(line);
    if (m) pins.push({ name: normalizeName(m[1]), version: m[2] });
  }
  return pins;
}

/** Project name of a wheel file name (`scikit_learn-1.9.1-cp311-….whl` → scikit-learn). */
export function wheelProject(file) {
  const m = /^([A-Za-z0-9][A-Za-z0-9._]*?)-([^-]+)-.+\.whl$/.exec(file);
  return m ? { name: normalizeName(m[1]), version: m[2] } : undefined;
}

function say(msg) {
  process.stderr.write(`[wheelhouse] ${msg}\n`);
}

function execp(cmd, args, { timeoutMs = 30 * 60_000, env = process.env } = {}) {
  return new Promise((resolvePromise) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolvePromise({ code, stdout: String(stdout), stderr: String(stderr) + (err && typeof err.code !== 'number' ? `\n${err.message}` : '') });
    });
  });
}

/** Streams a child's output to stderr (a download takes minutes: show progress), resolving its code. */
function spawnp(cmd, args, env = process.env) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let tail = '';
    const onData = (d) => {
      tail = (tail + d.toString()).slice(-8000);
      if (process.env.MODELDOCK_WHEELHOUSE_VERBOSE) process.stderr.write(d);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, tail }));
  });
}

/** The host Python whose pip downloads: $MODELDOCK_PYTHON, else python3. */
async function hostPip() {
  const python = process.env.MODELDOCK_PYTHON || 'python3';
  const res = await execp(python, ['-m', 'pip', '--version'], { timeoutMs: 60_000 });
  if (res.code !== 0) {
    throw new Error(`'${python} -m pip' does not run (${res.stderr.trim().split('\n').pop()}): the wheelhouse is downloaded with the host's pip. Install pip (apt-get install -y python3-pip) or point MODELDOCK_PYTHON at a Python with pip.`);
  }
  return python;
}

function sha256File(file) {
  return new Promise((resolvePromise, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolvePromise(h.digest('hex')));
  });
}

/** Reads the manifest of a complete wheelhouse, or undefined when it is not complete. */
function readManifest(dir) {
  try {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    if (m && m.complete === true && Array.isArray(m.files)) return m;
  } catch {
    // Missing or half-written: not complete.
  }
  return undefined;
}

async function pollUntil(check, deadlineMs, what) {
  const deadline = Date.now() + deadlineMs;
  let delay = 500;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 5000);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Downloads every pinned set into `<cacheRoot>/<key>` unless already there. pip checks every
 * wheel against the lock's sha256 (--require-hashes), and the download fails when a dependency
 * is missing from the lock, so a complete wheelhouse holds exactly what the images need.
 * Returns { dir, key, files: [{ file, name, version, sha256, size }], downloaded, seconds }.
 */
export async function ensureWheelhouse({ log = say } = {}) {
  const sets = lockedSets();
  if (sets.length === 0) throw new Error(`no pinned sets (*.txt) in ${LOCK_DIR}`);
  const key = wheelhouseKey(sets);
  const root = cacheRoot();
  const dir = join(root, key);
  const started = Date.now();
  const done = (downloaded) => {
    const m = readManifest(dir);
    if (!m) throw new Error(`wheelhouse ${dir} is not complete`);
    // Marks it as in use, for pruning by age.
    const now = new Date();
    try {
      utimesSync(join(dir, 'manifest.json'), now, now);
    } catch {
      // Read-only cache: fine.
    }
    return { dir, key, files: m.files, downloaded, seconds: (Date.now() - started) / 1000 };
  };
  if (readManifest(dir)) return done(false);

  mkdirSync(root, { recursive: true });
  const lock = join(root, `${key}.lock`);
  try {
    mkdirSync(lock);
  } catch (err) {
    if (err?.code !== 'EEXIST') throw new Error(`cannot create the lock ${lock}: ${err?.message ?? err}`);
    const age = (() => {
      try {
        return Date.now() - statSync(lock).mtimeMs;
      } catch {
        return 0;
      }
    })();
    if (age > 40 * 60_000) rmSync(lock, { recursive: true, force: true });
    else await pollUntil(async () => readManifest(dir) !== undefined || !existsSync(lock), 40 * 60_000, `the wheelhouse download (${lock})`);
    return ensureWheelhouse({ log });
  }
  try {
    if (readManifest(dir)) return done(false);
    const python = await hostPip();
    const partial = join(root, `${key}.partial`);
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    for (const s of sets) {
      log(`downloading the '${s.name}' set from PyPI into ${dir} (once per machine)…`);
      const t = Date.now();
      const args = ['-m', 'pip', 'download', '--no-input', '--progress-bar', 'off', '--disable-pip-version-check', '--require-hashes', ...targetArgs(), '--dest', partial, '-r', s.file];
      // The host's own find-links (e.g. PIP_FIND_LINKS) must not feed the wheelhouse.
      const env = { ...process.env };
      delete env.PIP_FIND_LINKS;
      delete env.PIP_NO_INDEX;
      const res = await spawnp(python, args, env);
      if (res.code !== 0) throw new Error(`pip download of ${s.file} failed (${res.code}); is PyPI reachable? Last output:\n${res.tail}`);
      log(`'${s.name}' set downloaded in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    const files = [];
    for (const f of readdirSync(partial).sort()) {
      if (!f.endsWith('.whl')) throw new Error(`pip downloaded ${f}, which is not a wheel: only wheels may be served`);
      const project = wheelProject(f);
      if (!project) throw new Error(`cannot read the project name of ${f}`);
      const p = join(partial, f);
      files.push({ file: f, name: project.name, version: project.version, sha256: await sha256File(p), size: statSync(p).size });
    }
    // Every pin has its wheel (pip would have failed otherwise; this keeps the manifest honest).
    for (const s of sets) {
      for (const pin of parseLock(s.text)) {
        if (!files.some((f) => f.name === pin.name && normalizeVersion(f.version) === normalizeVersion(pin.version))) {
          throw new Error(`${s.file} pins ${pin.name}==${pin.version} but no wheel of it was downloaded`);
        }
      }
    }
    writeFileSync(join(partial, 'manifest.json'), JSON.stringify({ complete: true, key, target: TARGET, sets: sets.map((s) => s.name), created: new Date().toISOString(), files }, null, 2));
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
    const total = files.reduce((n, f) => n + f.size, 0);
    log(`wheelhouse ${key}: ${files.length} wheels, ${(total / 1e6).toFixed(0)} MB, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    pruneOld(root, key, log);
    return done(true);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Wheel file versions use `_` for `-` in local parts; compare loosely. */
function normalizeVersion(v) {
  return v.toLowerCase().replace(/[-_]/g, '.');
}

/** Removes other wheelhouses not used for 30 days (each is hundreds of MB). */
function pruneOld(root, keep, log) {
  const cutoff = Date.now() - 30 * 24 * 3600_000;
  for (const d of readdirSync(root)) {
    if (d === keep || !/^[0-9a-f]{16}$/.test(d)) continue;
    try {
      if (statSync(join(root, d, 'manifest.json')).mtimeMs < cutoff) {
        rmSync(join(root, d), { recursive: true, force: true });
        log(`removed unused wheelhouse ${d}`);
      }
    } catch {
      // No manifest: an interrupted download; the next ensure of that key starts over anyway.
    }
  }
}

function escapeHtml(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Serves a wheelhouse as a PEP 503 simple index on `host` (127.0.0.1 by default) and a free
 * port: /simple/, /simple/<project>/ (links carry #sha256=), /files/<wheel>. Unknown projects
 * are 404, as on PyPI, so pip reports what the wheelhouse lacks. `requests` lists every wheel
 * served, so a test can tell that pip really downloaded from here.
 */
export function serveWheelhouse(wheelhouse, { host = '127.0.0.1', port = 0 } = {}) {
  const byProject = new Map();
  const byFile = new Map();
  for (const f of wheelhouse.files) {
    if (!byProject.has(f.name)) byProject.set(f.name, []);
    byProject.get(f.name).push(f);
    byFile.set(f.file, f);
  }
  const requests = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://index.invalid');
    const send = (status, type, body) => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
    let path;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return send(400, 'text/plain', 'malformed path\n');
    }
    if (path === '/simple' || path === '/simple/') {
      const links = [...byProject.keys()].sort().map((n) => `<a href="/simple/${n}/">${escapeHtml(n)}</a><br>`);
      return send(200, 'text/html', `<!DOCTYPE html><html><body>\n${links.join('\n')}\n</body></html>\n`);
    }
    const proj = /^\/simple\/([^/]+)\/?$/.exec(path);
    if (proj) {
      const name = normalizeName(proj[1]);
      // PEP 503: a non-normalised name redirects to the normalised one.
      if (name !== proj[1]) {
        res.writeHead(301, { location: `/simple/${name}/` });
        return res.end();
      }
      const files = byProject.get(name);
      if (!files) return send(404, 'text/plain', `no project ${name} in the wheelhouse\n`);
      const links = files.map((f) => `<a href="/files/${encodeURIComponent(f.file)}#sha256=${f.sha256}">${escapeHtml(f.file)}</a><br>`);
      return send(200, 'text/html', `<!DOCTYPE html><html><body>\n${links.join('\n')}\n</body></html>\n`);
    }
    const file = /^\/files\/([^/]+)$/.exec(path);
    const entry = file ? byFile.get(file[1]) : undefined;
    if (!entry) return send(404, 'text/plain', 'not found\n');
    requests.push(entry.file);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': entry.size });
    if (req.method === 'HEAD') return res.end();
    createReadStream(join(wheelhouse.dir, entry.file))
      .on('error', () => res.destroy())
      .pipe(res);
  });
  return new Promise((resolvePromise, reject) => {
    server.on('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      const url = `http://${host}:${addr.port}/simple`;
      resolvePromise({
        url,
        host,
        port: addr.port,
        requests,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}

/**
 * Re-resolves <set>.in (top-level requirements) into <set>.txt: every transitive dependency
 * pinned with its sha256, for the target platform. Needs PyPI; run it after changing a .in file.
 */
export async function lockSet(name) {
  const input = join(LOCK_DIR, `${name}.in`);
  if (!existsSync(input)) throw new Error(`no ${input}`);
  const python = await hostPip();
  const work = join(tmpdir(), `md-wheelhouse-lock-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    const report = join(work, 'report.json');
    const env = { ...process.env };
    delete env.PIP_FIND_LINKS;
    // --target: pip refuses platform options otherwise; with --dry-run nothing is installed.
    const args = ['-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--no-input', '--progress-bar', 'off', '--disable-pip-version-check', '--target', join(work, 'never'), '--report', report, ...targetArgs(), '-r', input];
    const res = await spawnp(python, args, env);
    if (res.code !== 0) throw new Error(`resolving ${input} failed:\n${res.tail}`);
    const r = JSON.parse(readFileSync(report, 'utf8'));
    const inExtras = new Map();
    for (const line of readFileSync(input, 'utf8').split('\n')) {
      const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*\[([^\]]*)\]/.exec(line);
      if (m) inExtras.set(normalizeName(m[1]), m[2].split(',').map((e) => e.trim()).filter(Boolean));
    }
    const lines = [];
    for (const item of r.install) {
      const sha = item.download_info?.archive_info?.hashes?.sha256 ?? /sha256=([0-9a-f]{64})/.exec(item.download_info?.archive_info?.hash ?? '')?.[1];
      if (!sha) throw new Error(`no sha256 for ${item.metadata.name} in pip's report`);
      const file = basename(new URL(item.download_info.url).pathname);
      const name = normalizeName(item.metadata.name);
      // A pin without its extras fails in --require-hashes mode as soon as a dependency asks for
      // `name[extra]` (fastapi asks for uvicorn[standard]): pip treats that as a second, unpinned
      // requirement. pip's report names the extras it resolved; the .in file names the ones asked for.
      const extras = [...new Set([...(item.requested_extras ?? []), ...(inExtras.get(name) ?? [])])].sort();
      const spec = extras.length ? `${name}[${extras.join(',')}]` : name;
      lines.push({ name, text: `${spec}==${item.metadata.version} \\\n    --hash=sha256:${sha}\n    # ${file}` });
    }
    lines.sort((a, b) => a.name.localeCompare(b.name));
    const head = [
      `# Generated by \`node scripts/lib/wheelhouse.mjs lock ${name}\` from ${name}.in: do not edit by hand.`,
      `# Every wheel the '${name}' set needs on CPython ${TARGET.python}, manylinux (glibc <= 2.36) x86_64, pinned with its sha256.`,
    ];
    writeFileSync(join(LOCK_DIR, `${name}.txt`), `${head.join('\n')}\n${lines.map((l) => l.text).join('\n')}\n`);
    say(`${name}.txt: ${lines.length} pins`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function cli(argv) {
  const [cmd, ...rest] = argv;
  if (cmd === 'ensure' || cmd === undefined) {
    const w = await ensureWheelhouse();
    const total = w.files.reduce((n, f) => n + f.size, 0);
    console.log(`wheelhouse ${w.dir}: ${w.files.length} wheels, ${(total / 1e6).toFixed(0)} MB, ${w.downloaded ? 'downloaded' : 'cached'}, ${w.seconds.toFixed(1)} s`);
  } else if (cmd === 'lock') {
    const names = rest.length ? rest : readdirSync(LOCK_DIR).filter((f) => f.endsWith('.in')).map((f) => f.slice(0, -3));
    for (const n of names) await lockSet(n);
  } else if (cmd === 'serve') {
    const w = await ensureWheelhouse();
    const s = await serveWheelhouse(w, { host: rest[0] ?? '127.0.0.1', port: Number(rest[1] ?? 0) });
    console.log(`serving ${w.dir} at ${s.url} (Ctrl-C stops)`);
  } else {
    throw new Error(`unknown command '${cmd}': ensure, lock [SET] or serve [HOST] [PORT]`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  cli(process.argv.slice(2)).catch((err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
