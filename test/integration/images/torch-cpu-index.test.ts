// A CPU image of a PyTorch project must not pull PyPI's Linux torch wheel, which is the CUDA
// build (torch plus a dozen nvidia-* wheels, several GB): the generated Dockerfile points pip at
// PyTorch's CPU wheel index. A real CPU build is out of reach on the test machines
// (download.pytorch.org is not reachable there, and a resolution against PyPI alone downloads
// gigabytes because its mirror serves no PEP 658 metadata), so this checks the generated pip
// command as a dry run (`pip install --dry-run --report`) where the CPU index answers, and
// skips, saying why, where it does not.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TARGET } from '../../../scripts/lib/wheelhouse.mjs';
import { run } from '../helpers/docker';
import { PREFIX, REPO, scaffold } from './harness';

/** The arguments after `pip install` of each RUN line of a Dockerfile that installs with pip. */
function pipInstallArgs(dockerfile: string): string[][] {
  const joined = dockerfile.replace(/\\\n/g, ' ');
  const out: string[][] = [];
  for (const line of joined.split('\n')) {
    if (!/^\s*RUN\b/.test(line)) continue;
    for (const step of line.replace(/^\s*RUN\s+/, '').split('&&')) {
      const words = step.trim().split(/\s+/);
      const at = words.indexOf('install');
      if (at > 0 && words[at - 1] === 'pip') out.push(words.slice(at + 1));
    }
  }
  return out;
}

/** Why `url` cannot be fetched, or undefined when it answers. */
async function unreachable(url: string): Promise<string | undefined> {
  const host = new URL(url).hostname;
  try {
    await lookup(host);
  } catch (err) {
    return `${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? String(err)})`;
  }
  return new Promise((resolve) => {
    const req = https.get(url, { timeout: 15_000 }, (res) => {
      res.resume();
      resolve(res.statusCode && res.statusCode < 400 ? undefined : `${url} answered HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve(`${url}: ${err.message}`));
  });
}

describe('CPU PyTorch image: the generated pip command resolves the CPU build', () => {
  let dir = '';

  before(() => {
    dir = path.join(mkdtempSync(path.join(tmpdir(), `${PREFIX}-torch-`)), 'pytorch-classifier');
    cpSync(path.join(REPO, 'examples', 'pytorch-classifier'), dir, { recursive: true });
  });

  after(() => {
    if (dir) rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  test('pip install --dry-run of the generated command installs torch +cpu and no nvidia-* wheels', { timeout: 20 * 60_000 }, async (t) => {
    const report = await scaffold(dir);
    assert.equal(report.baseImage, 'python:3.11-slim');
    const installs = pipInstallArgs(readFileSync(path.join(dir, 'Dockerfile'), 'utf8'));
    assert.equal(installs.length, 1, `expected one pip install in the Dockerfile, found ${installs.length}`);
    const args = installs[0]!;
    const at = args.findIndex((a) => a === '--extra-index-url' || a === '--index-url');
    assert.ok(at >= 0, `the CPU install names no extra index: ${args.join(' ')}`);
    const cpuIndex = args[at + 1]!;
    assert.match(cpuIndex, /^https:\/\/download\.pytorch\.org\/whl\/cpu\/?$/);

    const why = await unreachable(`${cpuIndex.replace(/\/$/, '')}/torch/`);
    if (why) return t.skip(`the CPU wheel index cannot be reached from this machine: ${why}`);

    const work = mkdtempSync(path.join(tmpdir(), `${PREFIX}-dryrun-`));
    try {
      const reportFile = path.join(work, 'report.json');
      const platform = ['--only-binary=:all:', '--python-version', TARGET.python, '--implementation', TARGET.implementation, ...TARGET.abis.flatMap((a) => ['--abi', a]), ...TARGET.platforms.flatMap((p) => ['--platform', p])];
      // --target: pip takes platform options only with it; --dry-run installs nothing there.
      const cmd = ['-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--quiet', '--report', reportFile, '--target', path.join(work, 'never'), ...platform, ...args.filter((a) => a !== '--no-cache-dir')];
      const res = await run(process.env.MODELDOCK_PYTHON || 'python3', cmd, { cwd: dir, timeoutMs: 19 * 60_000 });
      assert.equal(res.code, 0, `pip ${cmd.join(' ')} failed:\n${res.stderr.slice(-3000)}`);
      const resolved = (JSON.parse(readFileSync(reportFile, 'utf8')) as { install: { metadata: { name: string; version: string } }[] }).install.map((i) => i.metadata);
      const torch = resolved.find((m) => m.name.toLowerCase() === 'torch');
      assert.ok(torch, 'torch is not in the resolution');
      assert.match(torch.version, /\+cpu$/, `the CPU image would install torch ${torch.version}`);
      const cuda = resolved.filter((m) => /^nvidia-/i.test(m.name)).map((m) => m.name);
      assert.deepEqual(cuda, [], 'the CPU image would install CUDA wheels');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
