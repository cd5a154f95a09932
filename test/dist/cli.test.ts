// The CLI as users get it: the built dist/cli.js and the copy inside the VSIX, run as whole
// processes through every example the README shows, with the README's JSON contracts and exit
// codes checked against what they print. MODELDOCK_DIST_CLIS="label=path,label=path" names the
// files (the dist tier of `npm test` sets it after `npm run package`); without it, dist/cli.js.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(__dirname, '..', '..');

function clis(): { label: string; path: string }[] {
  const raw = process.env.MODELDOCK_DIST_CLIS ?? `built=${join(repo, 'dist', 'cli.js')}`;
  return raw.split(',').map((pair) => {
    const at = pair.indexOf('=');
    return { label: pair.slice(0, at), path: resolve(pair.slice(at + 1)) };
  });
}

/** The lines of the README's first ```sh block under "## CLI" that run the CLI. */
function readmeExamples(): string[] {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## CLI\n'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'README has a ```sh block under ## CLI');
  return block[1]!
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l.startsWith('node dist/cli.js'));
}

/** `{ a, b[{c}], d }` → ['a', 'b', 'd']: the top-level keys a README contract names. */
function contractKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let word = '';
  for (const ch of text) {
    if (ch === '{' || ch === '[') {
      if (depth === 1 && word) keys.push(word);
      word = '';
      depth++;
    } else if (ch === '}' || ch === ']') {
      if (depth === 1 && word) keys.push(word);
      word = '';
      depth--;
    } else if (ch === ',') {
      if (depth === 1 && word) keys.push(word);
      word = '';
    } else if (/[A-Za-z]/.test(ch) && depth === 1) word += ch;
    else if (depth === 1 && word && /\s/.test(ch)) {
      /* keep the word until the separator */
    }
  }
  return [...new Set(keys)];
}

function readmeContract(command: 'detect' | 'scaffold' | 'lint'): string[] {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8').replace(/\n/g, ' ');
  const m = new RegExp('`' + command + ' --json` prints `(\\{[^`]*\\})`').exec(readme);
  assert.ok(m, `README states the ${command} --json contract`);
  return contractKeys(m[1]!);
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(cli: string, args: string[], cwd: string): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

for (const cli of clis()) {
  describe(`CLI (${cli.label}: ${cli.path})`, () => {
    let work: string;
    before(() => {
      assert.ok(existsSync(cli.path), `${cli.path} exists (run npm run package first)`);
      work = mkdtempSync(join(tmpdir(), 'modeldock-dist-cli-'));
      cpSync(join(repo, 'examples'), join(work, 'examples'), { recursive: true });
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    test('starts: one shebang line, then code Node accepts; executable as the package bin', () => {
      const text = readFileSync(cli.path, 'utf8');
      assert.equal(text.split('\n')[0], '#!/usr/bin/env node');
      assert.ok(!text.split('\n')[1]!.startsWith('#!'), 'a single shebang');
      const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { bin: Record<string, string> };
      assert.equal(pkg.bin.modeldock, './dist/cli.js');
      if (cli.label === 'built') {
        accessSync(cli.path, constants.X_OK);
        const direct = spawnSync(cli.path, ['--help'], { encoding: 'utf8' });
        assert.equal(direct.status, 0, direct.stderr);
        assert.match(direct.stdout, /usage: modeldock/);
      }
    });

    test('every README example runs and exits 0, and --json output follows the README contracts', () => {
      const examples = readmeExamples();
      assert.ok(examples.length >= 5, `README shows the CLI examples (${examples.length})`);
      const seen = new Set<string>();
      for (const line of examples) {
        const args = line.split(/\s+/).slice(2);
        const r = runCli(cli.path, args, work);
        assert.equal(r.code, 0, `${line}\nexit ${r.code}\n${r.stderr}\n${r.stdout.slice(0, 2000)}`);
        const command = args[0];
        if (args.includes('--json') && (command === 'detect' || command === 'scaffold' || command === 'lint')) {
          const out = JSON.parse(r.stdout) as Record<string, unknown>;
          assert.deepEqual(Object.keys(out).sort(), readmeContract(command).sort(), `${line}: top-level keys match the README`);
          seen.add(command);
          if (command === 'detect') {
            assert.equal(out.primary, 'pytorch');
            assert.ok(Array.isArray(out.frameworks) && (out.frameworks as { evidence: unknown[] }[])[0]!.evidence.length > 0);
          }
          if (command === 'scaffold') {
            assert.equal(out.target, 'cpu');
            assert.deepEqual(
              (out.files as { path: string; action: string }[]).map((f) => Object.keys(f).sort().join(',')),
              (out.files as unknown[]).map(() => 'action,path'),
            );
          }
          if (command === 'lint') {
            const findings = out.findings as { severity: string; file: string }[];
            assert.ok(findings.every((f) => f.severity !== 'error'), `generated files lint without errors: ${JSON.stringify(findings.filter((f) => f.severity === 'error'))}`);
          }
        }
      }
      assert.deepEqual([...seen].sort(), ['detect', 'lint', 'scaffold'], 'the README shows --json for every command');
      // The scaffold example wrote real files where it said.
      assert.ok(existsSync(join(work, 'build', 'pytorch-gpu', 'Dockerfile')));
      assert.match(readFileSync(join(work, 'build', 'pytorch-gpu', 'Dockerfile'), 'utf8'), /^FROM \S*cuda\S*12\.1/m);
    });

    test('exit codes: 1 for a lint error or an unusable plan, 2 for usage errors', () => {
      const bad = join(work, 'bad.yaml');
      writeFileSync(bad, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: "three"\n');
      const lint = runCli(cli.path, ['lint', bad, '--json'], work);
      assert.equal(lint.code, 1, lint.stderr);
      assert.ok((JSON.parse(lint.stdout) as { findings: { severity: string }[] }).findings.some((f) => f.severity === 'error'));
      const cuda = runCli(cli.path, ['scaffold', 'examples/pytorch-classifier', '--target', 'gpu', '--cuda', '9.0', '--dry-run'], work);
      assert.equal(cuda.code, 1, cuda.stderr);
      assert.match(cuda.stderr + cuda.stdout, /CUDA/);
      for (const args of [['detect'], ['lint', '--bogus'], ['scaffold', 'no/such/folder'], ['frobnicate']]) {
        const r = runCli(cli.path, args, work);
        assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
        assert.ok(r.stderr.trim().length > 0 && r.stderr.length < 2000, 'a short message on stderr');
      }
    });
  });
}
