#!/usr/bin/env node
// Bundles the extension, the CLI, the webview and the extension-host test suite with esbuild.
//   node scripts/build.mjs                 dev build: source maps, not minified
//   node scripts/build.mjs --production    what the VSIX ships: minified, no source maps
//   node scripts/build.mjs --watch
import * as esbuild from 'esbuild';
import { cpSync, rmSync, existsSync, readdirSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
// A packaged build starts from an empty dist/: no stale source maps or bundles slip into the VSIX.
if (production) rmSync('dist', { recursive: true, force: true });
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: production ? 'none' : 'inline',
  metafile: true,
};

// ssh2 (pulled in by dockerode) has optional native parts that it loads inside try/catch.
const nodeExternals = ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'];

// dockerode and @kubernetes/client-node (about 4.5 MB together) live in their own bundles under
// dist/vendor/, reached only through `await import(...)`: activation never loads them, and the
// extension-host suite checks require.cache to prove it.
const VENDOR = { dockerode: 'dockerode', 'dockerode/lib/session.js': 'dockerode-session', '@kubernetes/client-node': 'client-node' };
const vendorSplit = {
  name: 'vendor-split',
  setup(build) {
    build.onResolve({ filter: /^(dockerode|dockerode\/lib\/session\.js|@kubernetes\/client-node)$/ }, (args) => ({
      path: `./vendor/${VENDOR[args.path]}.js`,
      external: true,
    }));
  },
};

// The linter (Ajv validators for every schema: large) runs in a worker thread, from its own bundle
// (dist/lint.js). features/ may import its small parts (core/lint/types, core/lint/fix) but never
// the linter itself: that would load it on the extension host's thread.
const lintSplit = {
  name: 'lint-split',
  setup(build) {
    build.onResolve({ filter: /\/core\/lint$/ }, (args) =>
      args.importer.includes(`${'/src/features/'}`) && !args.importer.endsWith('/features/lint/worker.ts')
        ? { errors: [{ text: `${args.importer} imports core/lint: the linter runs in the lint worker (src/features/lint/worker.ts); import core/lint/types or core/lint/fix instead` }] }
        : undefined,
    );
  },
};

// The CLI loads each subcommand from its own file (dist/cli/<name>.js) on first use: `--help`
// and `detect` do not parse the scaffold templates' or the linter's code.
const cliSplit = {
  name: 'cli-split',
  setup(build) {
    build.onResolve({ filter: /^\.\/cli\/(detect|scaffold|lint|size)$/ }, (args) =>
      args.importer.endsWith('/src/cli.ts') || args.importer.endsWith('\\src\\cli.ts') ? { path: `${args.path}.js`, external: true } : undefined,
    );
  },
};

const targets = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
    plugins: [vendorSplit, lintSplit],
  },
  {
    ...common,
    // The lint worker (node:worker_threads): the linter runs here, off the extension host's thread.
    entryPoints: { lint: 'src/features/lint/worker.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: {
      dockerode: 'node_modules/dockerode/lib/docker.js',
      'dockerode-session': 'node_modules/dockerode/lib/session.js',
      'client-node': 'node_modules/@kubernetes/client-node/dist/index.js',
    },
    outdir: 'dist/vendor',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
    sourcemap: false,
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli.ts', 'cli/detect': 'src/cli/detect.ts', 'cli/scaffold': 'src/cli/scaffold.ts', 'cli/lint': 'src/cli/lint.ts', 'cli/size': 'src/cli/size.ts' },
    plugins: [cliSplit],
    // A CommonJS require for the lazy import: Node's ESM loader would scan the whole file each run.
    supported: { 'dynamic-import': false },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
    // src/cli.ts carries the shebang itself; esbuild keeps it as the first line. A banner would
    // add a second one, which Node rejects as a syntax error.
  },
];

if (existsSync('webview/main.ts')) {
  targets.push({
    ...common,
    entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist/webview',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    loader: { '.css': 'text', '.ttf': 'file' },
  });
}

function collectTests(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collectTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

// The extension-host suite: an index (mocha runner) plus each test file as its own entry.
if (!production && existsSync('test/vscode/index.ts')) {
  const entries = { index: 'test/vscode/index.ts' };
  for (const f of collectTests('test/vscode/suite')) entries[f.replace(/^test\/vscode\//, '').replace(/\.ts$/, '')] = f;
  for (const f of collectTests('test/vscode/installed')) entries[f.replace(/^test\/vscode\//, '').replace(/\.ts$/, '')] = f;
  for (const f of collectTests('test/vscode/untrusted')) entries[f.replace(/^test\/vscode\//, '').replace(/\.ts$/, '')] = f;
  targets.push({
    ...common,
    entryPoints: entries,
    outdir: 'dist-test/vscode',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: [...nodeExternals, 'mocha', 'playwright-core'],
    sourcemap: 'inline',
  });
}

// MODELDOCK_BUILD_ONLY=extension,vendor,tests builds a subset (faster inner loop).
const only = process.env.MODELDOCK_BUILD_ONLY?.split(',');
const names = (t) => Object.keys(t.entryPoints).join(',');
const selected = only
  ? targets.filter((t) => only.some((o) => names(t).includes(o) || (o === 'vendor' && t.outdir === 'dist/vendor') || (o === 'tests' && t.outdir.startsWith('dist-test'))))
  : targets;

if (watch) {
  for (const t of selected) {
    const ctx = await esbuild.context(t);
    await ctx.watch();
  }
  console.log('esbuild: watching…');
} else {
  const results = await Promise.all(selected.map((t) => esbuild.build(t)));
  mkdirSync('dist', { recursive: true });
  const sizes = {};
  for (const r of results) {
    for (const [file, info] of Object.entries(r.metafile.outputs)) {
      if (file.endsWith('.map')) continue;
      sizes[file] = info.bytes;
    }
  }
  writeFileSync('dist/sizes.json', JSON.stringify(sizes, null, 2));
  // dockerode's BuildKit session loads its .proto files from next to its own module.
  if (selected.some((t) => t.outdir === 'dist/vendor')) cpSync('node_modules/dockerode/lib/proto', 'dist/vendor/proto', { recursive: true });
  for (const [file, bytes] of Object.entries(sizes)) {
    if (file.startsWith('dist-test')) continue;
    console.log(`${file.padEnd(32)} ${(bytes / 1024).toFixed(1).padStart(9)} KiB`);
  }
}
