// The corpus tier (run by test/corpus/run.mjs): ~300 real public manifests (test/corpus/files,
// sources and licences in index.json), held out from tuning. The bar:
//   - 0 false errors: every error ModelDock reports is one of the corpus's real errors
//     (expected.json, each with the reason), and each of those is found;
//   - an independent check: kubeconform, fed the same OpenAPI/CRD-derived schemas as local files,
//     judges the same documents; where the two disagree, the reason must be one ModelDock is
//     right about (the API server reads `field: null` as unset, kubeconform does not; formats
//     kubeconform does not check are in expected.json);
//   - every planted error is found: errors written into valid corpus files at known lines.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLinter } from '../../src/core/lint';
import type { Finding } from '../../src/core/lint';
import { kubeconformSchemas } from '../../src/core/lint/jsonSchema';

const HERE = 'test/corpus';
interface IndexEntry {
  file: string;
  module: string;
  version: string;
  licence: string;
  sha256: string;
}
interface Expected {
  line: number;
  rule: string;
  why: string;
}
const index = (JSON.parse(readFileSync(join(HERE, 'index.json'), 'utf8')) as { files: IndexEntry[] }).files;
const expected = (JSON.parse(readFileSync(join(HERE, 'expected.json'), 'utf8')) as { errors: Record<string, Expected[]> }).errors;
const texts = new Map(index.map((e) => [e.file, readFileSync(join(HERE, e.file), 'utf8')]));

function lintAll(files: Map<string, string>): Map<string, Finding[]> {
  const linter = createLinter();
  const out = new Map<string, Finding[]>();
  for (const [file, text] of files) out.set(file, linter.lintYaml(text, file));
  return out;
}

interface KubeconformResource {
  filename: string;
  kind: string;
  name: string;
  status: string;
  msg?: string;
}

let dir: string;
let kubeconform: ((paths: string[]) => KubeconformResource[]) | undefined;
const fileOf = (root: string, f: string): string => relative(root, f).split('\\').join('/');

describe('corpus of real manifests', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'modeldock-corpus-'));
    const schemas = join(dir, 'schemas');
    for (const [rel, text] of kubeconformSchemas()) {
      mkdirSync(dirname(join(schemas, rel)), { recursive: true });
      writeFileSync(join(schemas, rel), text);
    }
    const lib = (await import(pathToFileURL(join(process.cwd(), 'scripts/lib/kubeconform.mjs')).href)) as {
      ensureKubeconform: () => string;
      runKubeconform: (bin: string, schemaDir: string, paths: string[]) => { report: { resources?: KubeconformResource[] } };
    };
    const bin = process.env.MODELDOCK_KUBECONFORM ?? lib.ensureKubeconform();
    // kubeconform's JSON output lists failing resources only; the others are valid.
    kubeconform = (paths) => lib.runKubeconform(bin, schemas, paths).report.resources ?? [];
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a few hundred files, each with its source and an Apache-2.0 licence', () => {
    assert.ok(index.length >= 250, `${index.length} files`);
    for (const e of index) {
      assert.match(e.module, /^[\w.-]+\/[\w./-]+$/);
      assert.equal(e.licence, 'Apache-2.0');
    }
    for (const f of Object.keys(expected)) assert.ok(texts.has(f), `expected.json names ${f}, which is not in the corpus`);
  });

  test('0 false errors: every error is a known real one, and every known one is found', () => {
    const results = lintAll(texts);
    const unexpected: string[] = [];
    const missed: string[] = [];
    let documents = 0;
    for (const [file, findings] of results) {
      documents += (texts.get(file)!.match(/^kind:/gm) ?? []).length;
      const want = expected[file] ?? [];
      const errors = findings.filter((f) => f.severity === 'error');
      for (const f of errors) if (!want.some((w) => w.line === f.line && w.rule === f.rule)) unexpected.push(`${file}:${f.line} ${f.rule} ${f.message}`);
      for (const w of want) if (!errors.some((f) => f.line === w.line && f.rule === w.rule)) missed.push(`${file}:${w.line} ${w.rule} (${w.why})`);
    }
    console.log(`corpus: ${results.size} files, ${documents} documents, ${Object.values(expected).flat().length} known errors`);
    assert.deepEqual(unexpected, [], 'false errors');
    assert.deepEqual(missed, [], 'known errors not found');
  });

  test('independent check: kubeconform with the same schemas agrees, or ModelDock is right for a stated reason', () => {
    const results = lintAll(texts);
    const resources = kubeconform!([join(HERE, 'files')]);
    const disagreements: string[] = [];
    let invalid = 0;
    for (const r of resources) {
      const file = fileOf(HERE, r.filename);
      const all = results.get(file) ?? [];
      const mine = all.filter((f) => f.severity === 'error');
      if (r.status === 'statusInvalid') {
        invalid++;
        // kubeconform does not read `field: null` as unset; the API server does.
        if (!mine.length && !/got null/.test(r.msg ?? '') && !emptyValue(texts.get(file)!)) disagreements.push(`${file} ${r.kind}/${r.name}: kubeconform: ${r.msg}`);
      } else if (r.status === 'statusError') {
        // A parse error, or a kind without a schema: ModelDock reports the syntax error, an
        // apiVersion the version does not serve, or lists the document as not schema-checked.
        const explained = /could not find schema/.test(r.msg ?? '') ? all.some((f) => f.rule === 'unchecked' || f.rule === 'api-version') : all.some((f) => f.rule === 'syntax');
        if (!explained) disagreements.push(`${file} ${r.kind}: kubeconform: ${r.msg}`);
      }
    }
    // Files kubeconform finds nothing wrong with: ModelDock's errors there must be checks beyond the
    // OpenAPI that kubeconform does not make, listed in expected.json with the reason.
    const failing = new Set(resources.map((r) => fileOf(HERE, r.filename)));
    for (const [file, findings] of results) {
      if (failing.has(file)) continue;
      for (const f of findings.filter((x) => x.severity === 'error')) {
        const w = (expected[file] ?? []).find((e) => e.line === f.line && e.rule === f.rule);
        if (!w || !/kubeconform does not check|documentation snippet/.test(w.why)) disagreements.push(`${file}:${f.line} ModelDock: ${f.message} (kubeconform: valid)`);
      }
    }
    console.log(`kubeconform: ${resources.length} failing resources (${invalid} invalid) in ${texts.size} files`);
    assert.deepEqual(disagreements, []);
  });

  test('every planted error is found (and kubeconform confirms the ones it can check)', () => {
    // Plant into documents a schema covers (not the custom resources listed as unchecked).
    const before = lintAll(texts);
    const checked = new Set([...before].filter(([, f]) => !f.some((x) => x.rule === 'unchecked')).map(([file]) => file));
    const planted = plant(new Map([...texts].filter(([file]) => checked.has(file))));
    assert.ok(planted.length >= 60, `${planted.length} planted errors`);
    const results = lintAll(new Map(planted.map((p) => [p.file, p.text])));
    const missed: string[] = [];
    for (const p of planted) {
      const found = (results.get(p.file) ?? []).some((f) => f.severity === 'error' && f.rule === p.rule && f.line === p.line);
      if (!found) missed.push(`${p.file}:${p.line} ${p.what}: ${(results.get(p.file) ?? []).map((f) => `${f.line} ${f.rule} ${f.message}`).join(' | ')}`);
    }
    const counts = new Map<string, number>();
    for (const p of planted) counts.set(p.what, (counts.get(p.what) ?? 0) + 1);
    console.log(`planted: ${planted.length} (${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')})`);
    assert.deepEqual(missed, []);
    // The schema-level plants must be errors for kubeconform too: the plants are real errors.
    const out = join(dir, 'planted');
    for (const p of planted.filter((x) => x.kubeconform)) {
      mkdirSync(dirname(join(out, p.file)), { recursive: true });
      writeFileSync(join(out, p.file), p.text);
    }
    const failing = new Set(kubeconform!([out]).map((r) => fileOf(out, r.filename)));
    const notConfirmed = planted.filter((p) => p.kubeconform && !failing.has(p.file)).map((p) => `${p.file}:${p.line} ${p.what}`);
    assert.deepEqual(notConfirmed, []);
  });
});

/** True when the text has a key with an empty or null value, which the API server reads as unset. */
function emptyValue(text: string): boolean {
  return /^\s*(?:- )?[\w.-]+:\s*(?:null|~)?\s*$/m.test(text);
}

interface Planted {
  file: string;
  text: string;
  line: number;
  rule: string;
  what: string;
  kubeconform: boolean;
}

/** Errors written at known lines of valid corpus files, one per file, each kind about equally often. */
function plant(files: Map<string, string>): Planted[] {
  type Mutation = { what: string; rule: string; kubeconform: boolean; builtinOnly?: boolean; apply: (lines: string[]) => number | undefined };
  // Port ranges and label syntax are checked where the API server checks them: in built-in kinds.
  const BUILTIN = /^apiVersion: (?:v1|apps\/v1|batch\/v1|networking\.k8s\.io\/v1|policy\/v1|rbac\.authorization\.k8s\.io\/v1|autoscaling\/v[12])\s*$/m;
  const at =
    (re: RegExp, edit: (m: RegExpExecArray, line: string) => string) =>
    (lines: string[]): number | undefined => {
      for (let i = 0; i < lines.length; i++) {
        const m = re.exec(lines[i]!);
        if (m) {
          lines[i] = edit(m, lines[i]!);
          return i + 1;
        }
      }
      return undefined;
    };
  const mutations: Mutation[] = [
    { what: 'replicas as a word', rule: 'schema', kubeconform: true, apply: at(/^(\s*)replicas: \d+\s*$/, (m) => `${m[1]}replicas: three`) },
    { what: 'misspelled containers', rule: 'schema', kubeconform: true, apply: at(/^(\s*)containers:\s*$/, (m) => `${m[1]}contianers:`) },
    { what: 'removed apps/v1beta2', rule: 'api-version', kubeconform: true, apply: at(/^apiVersion: apps\/v1\s*$/, () => 'apiVersion: apps/v1beta2') },
    { what: 'Deployment in the core group', rule: 'api-version', kubeconform: true, apply: (lines) => (lines.some((l) => /^kind: Deployment\s*$/.test(l)) ? at(/^apiVersion: apps\/v1\s*$/, () => 'apiVersion: v1')(lines) : undefined) },
    { what: 'memory with stray text', rule: 'schema', kubeconform: true, apply: at(/^(\s*)memory: ["']?\d+(?:\.\d+)?[KMGT]i["']?\s*$/, (m) => `${m[1]}memory: 2Gi of RAM`) },
    { what: 'containerPort out of range', rule: 'schema', kubeconform: false, builtinOnly: true, apply: at(/^(\s*(?:- )?)containerPort: \d+\s*$/, (m) => `${m[1]}containerPort: 70000`) },
    { what: 'label value with a space', rule: 'schema', kubeconform: false, builtinOnly: true, apply: at(/^(\s+)app(?:\.kubernetes\.io\/name)?: [\w.-]+\s*$/, (m, l) => `${m[1]}${l.trim().replace(/: .*$/, '')}: "not a label"`) },
    { what: 'image as a list', rule: 'schema', kubeconform: true, apply: at(/^(\s*(?:- )?)image: \S+\s*$/, (m) => `${m[1]}image: [nope]`) },
    { what: 'misspelled top-level metadata', rule: 'schema', kubeconform: true, apply: at(/^metadata:\s*$/, () => 'meta:') },
    {
      what: 'unknown field in spec',
      rule: 'schema',
      kubeconform: true,
      apply: (lines) => {
        const i = lines.findIndex((l) => /^spec:\s*$/.test(l));
        const indent = /^( +)\S/.exec(lines[i + 1] ?? '')?.[1];
        if (i < 0 || !indent) return undefined;
        lines[i] = `spec:\n${indent}notAField: 1`;
        return i + 1;
      },
    },
  ];
  const out: Planted[] = [];
  const used = mutations.map(() => 0);
  for (const [file, text] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // Valid single-document files only.
    if (expected[file] || text.includes('\r') || /^---/m.test(text.replace(/^---\s*\n/, ''))) continue;
    const order = mutations.map((_, i) => i).sort((a, b) => used[a]! - used[b]! || a - b);
    for (const i of order) {
      const m = mutations[i]!;
      if (m.builtinOnly && !BUILTIN.test(text)) continue;
      const lines = text.split('\n');
      const line = m.apply(lines);
      if (line === undefined) continue;
      // `spec:` + an inserted line: the finding is on the inserted line.
      out.push({ file, text: lines.join('\n'), line: m.what === 'unknown field in spec' ? line + 1 : line, rule: m.rule, what: m.what, kubeconform: m.kubeconform });
      used[i]!++;
      break;
    }
  }
  return out;
}
