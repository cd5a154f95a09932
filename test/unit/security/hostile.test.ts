// The "Hostile workspaces" findings, each as a crafted repository (test/fixtures/hostile/recipes.json)
// built on disk at test time and run through the real CLI (real detection, real writes).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { parseAllDocuments } from 'yaml';
import type { CliIo } from '../../../src/cli/io';
import { runWith } from '../../../src/cli/scaffold';
import { detectProject } from '../../../src/core/detect/index';
import { createLinter } from '../../../src/core/lint';
import { nodeTemplateSource, overlayTemplateSource, planScaffold, workspaceTemplateSource } from '../../../src/core/scaffold/index';

interface Entry {
  path: string;
  text?: string;
  symlink?: string;
  dir?: boolean;
}
interface Recipe {
  finding: string;
  project: Entry[];
  outside?: Entry[];
}

const RECIPES = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'hostile', 'recipes.json'), 'utf8')) as Record<string, Recipe>;

let base = '';
let builds = 0;
before(() => {
  base = mkdtempSync(join(tmpdir(), 'modeldock-hostile-'));
});
after(() => rmSync(base, { recursive: true, force: true }));

/** Builds a recipe under <base>/<name>/ws/proj with its outside folder at <base>/<name>/outside. */
function build(name: string): { root: string; outside: string; top: string } {
  const r = RECIPES[name];
  assert.ok(r, `recipe ${name}`);
  const top = join(base, `${name}-${++builds}`);
  const root = join(top, 'ws', 'proj');
  const outside = join(top, 'outside');
  mkdirSync(root, { recursive: true });
  mkdirSync(outside, { recursive: true });
  const place = (at: string, e: Entry): void => {
    const p = join(at, ...e.path.split('/'));
    mkdirSync(dirname(p), { recursive: true });
    if (e.symlink !== undefined) symlinkSync(e.symlink.replace('{outside}', outside), p);
    else if (e.dir) mkdirSync(p, { recursive: true });
    else writeFileSync(p, e.text ?? '');
  };
  for (const e of r.outside ?? []) place(outside, e);
  for (const e of r.project) place(root, e);
  return { root, outside, top };
}

/** Every path under a folder (links not followed), for "nothing was written" checks. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      out.push(rel + n);
      if (lstatSync(p).isDirectory()) walk(p, `${rel}${n}/`);
    }
  };
  walk(dir, '');
  return out;
}

function io(cwd: string): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { cwd, out: (s) => stdout.push(s), err: (s) => stderr.push(s), stdout, stderr };
}

const realDetect = { detect: (root: string) => detectProject(root) };

async function scaffold(root: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const t = io(root);
  const code = await runWith(['.', ...args], t, realDetect);
  return { code, out: t.stdout.join('\n'), err: t.stderr.join('\n') };
}

describe('hostile workspaces: writes stay inside the project', () => {
  test('a k8s symlink to another folder: refused, naming the file; nothing written anywhere', async () => {
    const { root, outside } = build('symlink-dir-out');
    const before = tree(root);
    const r = await scaffold(root, '--target', 'cpu');
    assert.equal(r.code, 1);
    assert.match(r.err, /Refusing to write k8s\/deployment\.yaml: k8s is a symlink that leads outside the project/);
    assert.match(r.err, /nothing was written/);
    assert.deepEqual(readdirSync(outside), [], 'nothing created through the link');
    assert.deepEqual(tree(root), before, 'not even the files that were safe (no partial write)');
  });

  test('a dangling Dockerfile -> ../../.bash_aliases: refused, the target is not created', async () => {
    const { root, top } = build('dangling-dockerfile');
    const r = await scaffold(root);
    assert.equal(r.code, 1);
    assert.match(r.err, /Refusing to write Dockerfile: it is a symlink/);
    assert.equal(existsSync(join(top, '.bash_aliases')), false);
    assert.equal(existsSync(join(root, 'compose.yaml')), false);
  });

  test('--force never overwrites a link target', async () => {
    const { root, outside } = build('force-through-link');
    const victim = join(outside, 'victim.yaml');
    const before = readFileSync(victim, 'utf8');
    const r = await scaffold(root, '--force');
    assert.equal(r.code, 1);
    assert.match(r.err, /Refusing to write compose\.yaml: it is a symlink/);
    assert.equal(readFileSync(victim, 'utf8'), before);
  });

  test('the chain: a newline entrypoint name written through a dangling link: refused twice over, no file, no command', async () => {
    const { root, top } = build('entrypoint-newline-chain');
    const r = await scaffold(root, '--target', 'cpu');
    assert.equal(r.code, 1);
    assert.match(r.err, /control character/);
    assert.equal(existsSync(join(top, '.bash_aliases')), false);
    assert.equal(existsSync('/tmp/modeldock-hostile-pwned'), false);
  });

  test('--out through a symlinked folder inside the project is refused', async () => {
    const { root, outside } = build('out-dir-link');
    const r = await scaffold(root, '--out', 'deploy');
    assert.equal(r.code, 1);
    assert.match(r.err, /Refusing to write deploy\/Dockerfile: deploy is a symlink that leads outside the project/);
    assert.deepEqual(readdirSync(outside), []);
  });

  test('--out to a fresh folder outside the project still works, and a link inside the project to inside is followed', async () => {
    const { root } = build('symlink-dir-out');
    rmSync(join(root, 'k8s'));
    mkdirSync(join(root, 'manifests'));
    symlinkSync(join(root, 'manifests'), join(root, 'k8s'));
    assert.equal((await scaffold(root, '--target', 'cpu')).code, 0);
    assert.ok(existsSync(join(root, 'manifests', 'deployment.yaml')));
    const elsewhere = join(base, 'fresh-out', 'a', 'b');
    assert.equal((await scaffold(root, '--target', 'cpu', '--out', elsewhere)).code, 0);
    assert.ok(existsSync(join(elsewhere, 'Dockerfile')));
  });
});

function allKeys(v: unknown): string[] {
  if (Array.isArray(v)) return v.flatMap(allKeys);
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => [k, ...allKeys(x)]);
  return [];
}

describe('hostile workspaces: no value becomes structure', () => {
  test('a newline in the entrypoint name: refused with a clear message, nothing written', async () => {
    const { root } = build('entrypoint-newline');
    const before = tree(root);
    const r = await scaffold(root, '--target', 'cpu');
    assert.equal(r.code, 1);
    assert.match(r.err, /srv\\u000aRUN touch .*contains a control character/);
    assert.deepEqual(tree(root), before);
  });

  test('YAML object injection through a 195-byte folder name: one document, no Pod, lint still clean', async () => {
    const { root } = build('yaml-folder-injection');
    const folder = readdirSync(join(root, 'models'))[0]!;
    assert.equal(Buffer.byteLength(folder), 195);
    // KServe writes only YAML: the name must survive as data.
    const r = await scaffold(root, '--runtime', 'kserve');
    assert.equal(r.code, 0, r.err);
    const linter = createLinter();
    for (const f of ['k8s/pvc.yaml', 'k8s/inferenceservice.yaml']) {
      const text = readFileSync(join(root, ...f.split('/')), 'utf8');
      const docs = parseAllDocuments(text);
      assert.equal(docs.length, 1, `${f}: one document`);
      const js = docs[0]!.toJS() as Record<string, unknown>;
      // The name is a string value somewhere; it created no key anywhere.
      assert.ok(!allKeys(js).some((k) => /hostPID|privileged|containers/.test(k) && f.endsWith('pvc.yaml')), `${f}: no injected keys`);
      assert.ok(!allKeys(js).includes('hostPID'), `${f}: no hostPID key`);
      assert.deepEqual(Object.keys(js).sort(), ['apiVersion', 'kind', 'metadata', 'spec']);
      assert.notEqual(js.kind, 'Pod');
      assert.deepEqual(linter.lintYaml(text, f).filter((x) => x.severity === 'error'), []);
    }
    const isvc = parseAllDocuments(readFileSync(join(root, 'k8s', 'inferenceservice.yaml'), 'utf8'))[0]!.toJS() as { spec: { predictor: { model: { storageUri: string } } } };
    // The value is kept exactly, as a string.
    assert.equal(isvc.spec.predictor.model.storageUri, `pvc://proj-models/models/${folder}`);
    // The Python runtime would put the name into a RUN line: refused instead.
    const py = await scaffold(root, '--runtime', 'python', '--force');
    assert.equal(py.code, 1);
    assert.match(py.err, /control character/);
  });

  test('a TOML \\n in a pyproject.toml dependency: detection drops it with a warning; it never becomes an instruction', async () => {
    const { root } = build('pyproject-newline');
    const r = await scaffold(root, '--target', 'cpu');
    // Two layers: detection skips a requirement that does not parse (and says so), and the
    // Dockerfile writer would refuse a value with a control character if one got through.
    if (r.code === 1) {
      assert.match(r.err, /control character/);
      assert.equal(existsSync(join(root, 'Dockerfile')), false);
      return;
    }
    assert.equal(r.code, 0, r.err);
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    assert.doesNotMatch(dockerfile, /^\s*RUN touch/m);
    assert.doesNotMatch(dockerfile, /modeldock-hostile-pwned/);
    const detected = await detectProject(root);
    assert.ok(detected.warnings.some((w) => /pyproject\.toml: could not parse this requirement/.test(w)), detected.warnings.join('\n'));
  });

  test('a TOML \\n in a Pipfile dependency (a version and a package name): refused, never an instruction', async () => {
    const { root } = build('pipfile-newline');
    const r = await scaffold(root, '--target', 'cpu');
    assert.equal(r.code, 1);
    assert.match(r.err, /the dependency 'scikit-learn\\u000arun touch .*control character/);
    assert.equal(existsSync(join(root, 'Dockerfile')), false);
  });

  test('TorchServe: a weights file named $(...) is quoted in RUN and COPY; a real shell reads it as one word', async () => {
    const { root } = build('torchserve-dollar');
    const r = await scaffold(root, '--runtime', 'torchserve');
    assert.equal(r.code, 0, r.err);
    const df = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const instructions = DockerfileParser.parse(df).getInstructions();
    const run = instructions.find((i) => i.getKeyword() === 'RUN' && /torch-model-archiver/.test(i.getArgumentsContent() ?? ''));
    assert.ok(run, df);
    // Run the exact RUN text with the archiver replaced by printf, in a scratch folder: the
    // file name arrives as one argument and nothing is executed.
    const scratch = mkdtempSync(join(base, 'sh-'));
    const cmd = (run.getArgumentsContent() ?? '').replace(/^torch-model-archiver/, "printf '%s\\n'");
    const args = execFileSync('/bin/sh', ['-c', cmd], { cwd: scratch, encoding: 'utf8' }).split('\n');
    assert.ok(args.includes("$(touch modeldock-hostile-pwned)'x.pt"), args.join(' | '));
    assert.deepEqual(readdirSync(scratch), [], 'the command substitution never ran');
    // COPY uses the JSON form with Docker's word escapes ($ and ' would otherwise be processed).
    const copy = instructions.find((i) => i.getKeyword() === 'COPY' && /touch/.test(i.getArgumentsContent() ?? ''));
    assert.equal(copy?.getArgumentsContent(), String.raw`["weights/\\$(touch modeldock-hostile-pwned)\\'x.pt", "./"]`);
  });
});

describe('hostile workspaces: template overrides', () => {
  test('an override that links out of the workspace is ignored and reported; one inside is used; untrusted reads none', async () => {
    const { root } = build('template-link-out');
    const ignored: string[] = [];
    const overrides = workspaceTemplateSource(root, { trusted: true, onIgnored: (name, why) => ignored.push(`${name}: ${why}`) });
    const detection = await detectProject(root);
    const plan = planScaffold(detection, { target: 'cpu' }, undefined, overlayTemplateSource(overrides, nodeTemplateSource()));
    assert.deepEqual(plan.errors, []);
    for (const f of plan.files) assert.doesNotMatch(f.content, /SECRET-FROM-OUTSIDE/, f.path);
    assert.ok(ignored.some((x) => /^common\/compose\.yaml\.tmpl: .*leads outside the workspace/.test(x)), ignored.join('\n'));
    assert.ok(ignored.some((x) => /^common\/k8s\/service\.yaml\.tmpl: /.test(x)), ignored.join('\n'));
    assert.match(plan.files.find((f) => f.path === '.dockerignore')!.content, /workspace override inside the workspace/);
    const untrusted = workspaceTemplateSource(root, { trusted: false });
    assert.equal(untrusted.has('common/dockerignore.tmpl'), false);
    assert.throws(() => untrusted.read('common/dockerignore.tmpl'));
    assert.throws(() => overrides.has('../secret.tmpl'), /bad template name/);
  });
});
