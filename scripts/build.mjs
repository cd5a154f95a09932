#!/usr/bin/env node
// Bundles the extension, the CLI, the webview and the extension-host test suite with esbuild.
//   node scripts/build.mjs                 dev build: source maps, not minified
//   node scripts/build.mjs --production    what the VSIX ships: minified, no source maps
//   node scripts/build.mjs --watch
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
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

const targets = [
  {
    ...common,
    entryPoints: { extension: 'src/extension.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
    // Heavy adapters (dockerode, client-node) are only reached through dynamic import();
    // splitting needs esm, so they stay in the same CJS file but behind lazy require calls.
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternals,
    banner: { js: '#!/usr/bin/env node' },
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

if (watch) {
  for (const t of targets) {
    const ctx = await esbuild.context(t);
    await ctx.watch();
  }
  console.log('esbuild: watching…');
} else {
  const results = await Promise.all(targets.map((t) => esbuild.build(t)));
  mkdirSync('dist', { recursive: true });
  const sizes = {};
  for (const r of results) {
    for (const [file, info] of Object.entries(r.metafile.outputs)) {
      if (file.endsWith('.map')) continue;
      sizes[file] = info.bytes;
    }
  }
  writeFileSync('dist/sizes.json', JSON.stringify(sizes, null, 2));
  for (const [file, bytes] of Object.entries(sizes)) {
    if (file.startsWith('dist-test')) continue;
    console.log(`${file.padEnd(32)} ${(bytes / 1024).toFixed(1).padStart(9)} KiB`);
  }
}
