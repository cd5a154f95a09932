#!/usr/bin/env node
// Production build + VSIX via @vscode/vsce. Prints the VSIX size and what it holds.
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
execFileSync(process.execPath, [join(repo, 'scripts', 'build.mjs'), '--production'], { cwd: repo, stdio: 'inherit' });
mkdirSync(join(repo, 'dist-vsix'), { recursive: true });
const out = join(repo, 'dist-vsix', 'modeldock.vsix');
const vsce = join(repo, 'node_modules', '@vscode', 'vsce', 'vsce');
// Everything that runs is bundled by esbuild: node_modules stays out of the package.
// The README's images are relative links; the Marketplace needs absolute ones.
const base = 'https://github.com/modeldock/modeldock';
execFileSync(
  process.execPath,
  [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--baseContentUrl', `${base}/blob/main`, '--baseImagesUrl', `${base}/raw/main`, '-o', out],
  { cwd: repo, stdio: 'inherit' },
);
const listing = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: repo, encoding: 'utf8' });
console.log(listing.trim().split('\n').map((l) => `  ${l}`).join('\n'));
console.log(`VSIX ${out} (v${version}): ${(statSync(out).size / 1024).toFixed(1)} KiB`);
