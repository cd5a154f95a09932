#!/usr/bin/env node
// Build-context benchmark: a folder with 2 GB of ignored model weights (sparse files) and 20,000
// small source files. Measures (1) ModelDock's context creation alone: .dockerignore walk + streamed
// tar into a byte-counting sink, and (2) the same context sent to the same engine by ModelDock's
// classic-builder build vs `DOCKER_BUILDKIT=0 docker build` (the CLI walks, tars and sends the
// context, the daemon unpacks it; the Dockerfile is `FROM local/busybox:1` + `RUN true` for both, so no COPY of 20,000 files dominates).
// Also (3): both clients uploading to a stand-in engine (a local HTTP server that counts the bytes),
// which isolates context creation + transfer from the daemon's unpacking. Prints figures only.
//   node scripts/bench/docker.mjs            (or through `npm run bench`, which imports run())
import { execFile, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TMP = join(REPO, '.bench-tmp');
const CTX = join(TMP, 'docker-ctx');
const BUNDLE = join(TMP, 'docker-bundle.cjs');
const SMALL_FILES = 20_000;
const WEIGHT_FILES = 4;
const WEIGHT_BYTES = 512 * 1024 * 1024; // 4 × 512 MB = 2 GB, sparse
const TREE_VERSION = '2';
const RUNS = 3;
const TAG_CLI = 'modeldock-bench-cli:1';
const TAG_MD = 'modeldock-bench-md:1';

function generate(log) {
  const marker = join(CTX, '.complete');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === `${TREE_VERSION}:${SMALL_FILES}`) return;
  log(`generating ${SMALL_FILES.toLocaleString('en')} files + ${(WEIGHT_FILES * WEIGHT_BYTES) / 2 ** 30} GB of sparse weights under ${CTX} (once; cached)...`);
  rmSync(CTX, { recursive: true, force: true });
  mkdirSync(join(CTX, 'weights'), { recursive: true });
  for (let i = 0; i < WEIGHT_FILES; i++) {
    const p = join(CTX, 'weights', `model-0000${i + 1}-of-0000${WEIGHT_FILES}.safetensors`);
    closeSync(openSync(p, 'w'));
    truncateSync(p, WEIGHT_BYTES);
  }
  const perDir = 100;
  for (let i = 0; i < SMALL_FILES; i++) {
    const dir = join(CTX, 'src', `pkg${String(Math.floor(i / perDir)).padStart(3, '0')}`);
    if (i % perDir === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `module_${i}.py`), `# generated module ${i}\ndef f_${i}(x):\n    return x * ${i}\n`);
  }
  writeFileSync(join(CTX, 'Dockerfile'), 'FROM local/busybox:1\nRUN true\n');
  writeFileSync(join(CTX, '.dockerignore'), 'weights/\n**/*.safetensors\n**/__pycache__\n*.pyc\n.git\n.complete\n');
  writeFileSync(marker, `${TREE_VERSION}:${SMALL_FILES}`);
}

async function bundle() {
  const esbuild = await import('esbuild');
  await esbuild.build({
    stdin: {
      contents: "export { planContext, packContext } from './src/docker/context';\nexport { connectEngine } from './src/docker/index';\n",
      resolveDir: REPO,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: BUNDLE,
    external: ['cpu-features', './crypto/build/Release/sshcrypto.node', 'dockerode'],
    logLevel: 'error',
  });
  return createRequire(import.meta.url)(BUNDLE);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (n) => `${n.toFixed(0)} ms`;

async function modeldockContext(md) {
  const started = performance.now();
  const plan = await md.planContext(CTX);
  let bytes = 0;
  const sink = new Writable({
    write(chunk, _enc, cb) {
      bytes += chunk.length;
      cb();
    },
  });
  await new Promise((res, rej) => {
    const tar = md.packContext(plan);
    tar.on('error', rej);
    sink.on('finish', res);
    tar.pipe(sink);
  });
  return { ms: performance.now() - started, bytes, files: plan.fileCount };
}

function dockerAvailable() {
  return spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8' }).status === 0 &&
    spawnSync('docker', ['image', 'inspect', 'local/busybox:1'], { encoding: 'utf8' }).status === 0;
}

function cliBuild() {
  const started = performance.now();
  const r = spawnSync('docker', ['build', '-q', '--no-cache', '-t', TAG_CLI, CTX], { encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  if (r.status !== 0) throw new Error(`docker build failed: ${r.stderr}`);
  return performance.now() - started;
}

async function modeldockBuild(md, engine) {
  const started = performance.now();
  const plan = await md.planContext(CTX);
  await engine.buildImage({ plan, tags: [TAG_MD], builder: 'classic', noCache: true });
  return performance.now() - started;
}

/**
 * A stand-in engine on a unix socket that answers /_ping and /build, counting the context bytes
 * and answering once the whole upload arrived: isolates client-side context creation + transfer.
 */
async function fakeEngine() {
  const socketPath = join(TMP, 'fake-engine.sock');
  rmSync(socketPath, { force: true });
  let received = 0;
  const server = createServer((req, res) => {
    const headers = { 'Api-Version': '1.41', Ostype: 'linux', 'Docker-Experimental': 'false', 'Content-Type': 'application/json' };
    if (/\/_ping$/.test(req.url ?? '')) {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/plain' });
      res.end(req.method === 'HEAD' ? undefined : 'OK');
      return;
    }
    if (/\/version$/.test(req.url ?? '')) {
      res.writeHead(200, headers);
      res.end(JSON.stringify({ ApiVersion: '1.41', Version: '20.10.24', Os: 'linux' }));
      return;
    }
    if (/\/info$/.test(req.url ?? '')) {
      res.writeHead(200, headers);
      res.end(JSON.stringify({ ServerVersion: '20.10.24', OSType: 'linux', Runtimes: { runc: {} } }));
      return;
    }
    if (/\/build\?/.test(req.url ?? '')) {
      req.on('data', (c) => (received += c.length));
      req.on('end', () => {
        res.writeHead(200, headers);
        res.end(JSON.stringify({ aux: { ID: 'sha256:' + '0'.repeat(64) } }) + '\n' + JSON.stringify({ stream: 'Successfully built 000000000000\n' }) + '\n');
      });
      return;
    }
    res.writeHead(404, headers);
    res.end(JSON.stringify({ message: `not in the fake engine: ${req.method} ${req.url}` }));
  });
  await new Promise((r) => server.listen(socketPath, r));
  return { socketPath, take: () => { const n = received; received = 0; return n; }, close: () => new Promise((r) => server.close(r)) };
}

export async function run({ log }) {
  generate(log);
  const md = await bundle();
  const ctxRuns = [];
  for (let i = 0; i < RUNS; i++) ctxRuns.push(await modeldockContext(md));
  const ctx = ctxRuns[0];
  const ctxMs = median(ctxRuns.map((r) => r.ms));
  log(`context: ${ctx.files.toLocaleString('en')} files, ${(ctx.bytes / 2 ** 20).toFixed(1)} MB tar; 2.0 GB of weights ignored`);
  log(`ModelDock context creation (walk + .dockerignore + tar into a counting sink), median of ${RUNS}: ${ms(ctxMs)}`);
  const figures = { files: ctx.files, tarBytes: ctx.bytes, modeldockContextMs: Math.round(ctxMs) };

  // (2) Client side only: CLI vs ModelDock uploading the context to a stand-in engine.
  const fake = await fakeEngine();
  try {
    const fakeEng = await md.connectEngine({ discovered: { endpoint: { kind: 'unix', socketPath: fake.socketPath }, source: 'setting', address: `unix://${fake.socketPath}`, flavour: 'docker', notes: [] } });
    const cliUp = [];
    const mdUp = [];
    let cliBytes = 0;
    let mdBytes = 0;
    for (let i = 0; i <= RUNS; i++) {
      let t = performance.now();
      // Asynchronous on purpose: the stand-in engine lives in this process's event loop.
      await new Promise((res, rej) =>
        execFile('docker', ['build', '-q', '-t', 'x:1', CTX], { env: { ...process.env, DOCKER_BUILDKIT: '0', DOCKER_HOST: `unix://${fake.socketPath}` } }, (err, _out, stderr) =>
          err ? rej(new Error(`docker build against the stand-in engine failed: ${stderr}`)) : res(),
        ),
      );
      const cliMs = performance.now() - t;
      cliBytes = fake.take();
      t = performance.now();
      await fakeEng.buildImage({ plan: await md.planContext(CTX), tags: ['x:1'], builder: 'classic' });
      const mdMs = performance.now() - t;
      mdBytes = fake.take();
      if (i > 0) {
        cliUp.push(cliMs);
        mdUp.push(mdMs);
      }
    }
    fakeEng.dispose();
    const c = median(cliUp);
    const m = median(mdUp);
    log(`upload to a stand-in engine (context creation + HTTP transfer, no daemon work), median of ${RUNS} after a warm-up:`);
    log(`  docker build CLI: ${ms(c)} (${(cliBytes / 2 ** 20).toFixed(1)} MB)   ModelDock: ${ms(m)} (${(mdBytes / 2 ** 20).toFixed(1)} MB)   ratio ModelDock / CLI: ${(m / c).toFixed(2)}`);
    Object.assign(figures, { cliUploadMs: Math.round(c), modeldockUploadMs: Math.round(m), ratioUpload: +(m / c).toFixed(2), cliUploadBytes: cliBytes, modeldockUploadBytes: mdBytes });
  } finally {
    await fake.close();
  }

  if (!dockerAvailable()) {
    log('docker build (CLI): skipped, no engine or no local/busybox:1 image (start dockerd; the integration tests build the image)');
    return figures;
  }
  const engine = await md.connectEngine();
  try {
    // One warm-up each so the base image and page cache are equally warm.
    cliBuild();
    await modeldockBuild(md, engine);
    const cli = [];
    const mdb = [];
    for (let i = 0; i < RUNS; i++) {
      cli.push(cliBuild());
      mdb.push(await modeldockBuild(md, engine));
    }
    const cliMs = median(cli);
    const mdMs = median(mdb);
    log(`docker build CLI (DOCKER_BUILDKIT=0; walk + tar + send + daemon unpack + RUN true), median of ${RUNS}: ${ms(cliMs)}`);
    log(`ModelDock build, same context/engine/Dockerfile, classic builder, median of ${RUNS}: ${ms(mdMs)}`);
    log(`ratio end-to-end ModelDock / CLI: ${(mdMs / cliMs).toFixed(2)}`);
    log(`ratio ModelDock context creation alone / CLI end-to-end build: ${(ctxMs / cliMs).toFixed(2)} (not like for like: the CLI figure includes the daemon's work)`);
    Object.assign(figures, { cliBuildMs: Math.round(cliMs), modeldockBuildMs: Math.round(mdMs), ratioBuild: +(mdMs / cliMs).toFixed(2) });
  } finally {
    engine.dispose();
    spawnSync('docker', ['rmi', '-f', TAG_CLI, TAG_MD], { encoding: 'utf8' });
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run({ log: (s) => console.log(s) }).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
