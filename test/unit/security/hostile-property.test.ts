// Property test for "escaping by construction": random hostile names (newlines, quotes, `$()`,
// `---`, YAML and Dockerfile syntax, unicode, 255-byte names) go into every place a workspace can
// put a name, and each generated file must parse with exactly the structure of the same plan
// made with a benign name: the same YAML documents and top-level keys, the same Dockerfile
// instructions, the same .dockerignore entries, Python that parses to the same statements. A plan
// may instead be refused, but only for a stated reason, and never for a plainly safe name.
// Fixed seed: a failure names its case and reproduces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { DockerfileParser } from 'dockerfile-ast';
import { parseAllDocuments } from 'yaml';
import type { Artifact, DetectionResult } from '../../../src/core/detect/types';
import { nodeTemplateSource, planScaffold, type ScaffoldChoices, type ScaffoldPlan, type TemplateSource } from '../../../src/core/scaffold/index';
import { detection } from '../scaffold/fixtures';

const CASES = 2000;
const SEED = 0x6d6f646b;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '\n', '\r\n', '\r', '\t', '\u0000', '\u001b[31m', '\u0085', '\u2028', '\u202e',
  '"', "'", '`', '"""', "'''", '\\', '\\\n', ' ', '  ',
  '$(touch /tmp/modeldock-prop)', '${HOME}', '$HOME', '`id`', '&&', '||', ';', '|', '<', '>',
  '---', '\n---\n', '...', '#', ' #', '!', '!!python/object', '&anchor', '*alias', '%YAML', '? ', ': ', ':', '- ', '-', '--index-url=http://x',
  '*', '?', '[a]', '{', '}', '{{name}}', '{{#x}}', ',', '=', '~', '@', '+cu121',
  'é', '漢字', '🙂', 'ß', 'İ', '\u00a0',
  'RUN touch /tmp/modeldock-prop', '\nRUN touch /tmp/modeldock-prop\n', 'kind: Pod', 'hostPID: true', 'CMD ["sh"]',
  '__modeldock_value_0__', '.', '..',
];

function utf8Truncate(s: string, bytes: number): string {
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > bytes) break;
    out += ch;
  }
  return out;
}

function hostileName(r: () => number, fileName: boolean): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  let s = '';
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) s += r() < 0.3 ? pick(['model', 'app', 'x', 'v2', 'a b']) : pick(PIECES);
  if (r() < 0.1) s = utf8Truncate(s + pick(['a', 'é', '漢']).repeat(300), 255); // the longest file name Linux allows
  if (fileName) s = s.replace(/\//g, '_').replace(/\0/g, r() < 0.5 ? '\u0001' : '_');
  return s || 'x';
}

type Slot =
  | 'artifactDir'
  | 'artifactFile'
  | 'entrypoint'
  | 'requirementsFile'
  | 'pyprojectDep'
  | 'healthRoute'
  | 'root'
  | 'nodeSelector'
  | 'torchserve'
  | 'triton'
  | 'tfserving'
  | 'kserve'
  | 'serve'
  | 'imageName';
const SLOTS: Slot[] = ['artifactDir', 'artifactFile', 'entrypoint', 'requirementsFile', 'pyprojectDep', 'healthRoute', 'root', 'nodeSelector', 'torchserve', 'triton', 'tfserving', 'kserve', 'serve', 'imageName'];

interface Case {
  detection: DetectionResult;
  choices: ScaffoldChoices;
}

/** The project and choices of a slot, with `n` wherever the workspace (or a setting) names something. */
function makeCase(slot: Slot, n: string, variant: number): Case {
  const sk = { frameworks: [{ name: 'scikit-learn' as const, version: '1.4.2' }], packages: [{ name: 'scikit-learn', version: '1.4.2' }, { name: 'flask', version: '2.2.2' }] };
  const flask = { entrypoint: { file: 'app.py', kind: 'flask' as const } };
  const target = variant % 2 === 0 ? ('cpu' as const) : ('gpu' as const);
  const weightsInImage = variant % 3 === 0;
  const joblib = (file: string): Artifact => ({ file, format: 'joblib', bytes: 1000 });
  switch (slot) {
    case 'artifactDir':
      return { detection: detection({ ...sk, ...flask, artifacts: [joblib(`models/${n}/model.joblib`)] }), choices: { target, weightsInImage, outputs: { kserve: true } } };
    case 'artifactFile':
      return { detection: detection({ ...sk, ...flask, artifacts: [joblib(`${n}.joblib`)] }), choices: { target, weightsInImage } };
    case 'entrypoint':
      return { detection: detection({ ...sk, entrypoint: { file: `api/${n}.py`, kind: variant % 2 ? 'fastapi' : 'streamlit' } }), choices: {} };
    case 'requirementsFile':
      return { detection: detection({ ...sk, ...flask, dependencyFiles: [{ file: `${n}.txt`, kind: 'requirements' }], packages: [{ name: 'torch', version: '2.3.1', spec: 'torch==2.3.1+cu121', file: `${n}.txt` }], frameworks: [{ name: 'pytorch', version: '2.3.1' }] }), choices: { target } };
    case 'pyprojectDep':
      return {
        detection: detection({ ...sk, ...flask, dependencyFiles: [{ file: 'pyproject.toml', kind: 'pyproject' }], packages: [{ name: 'flask', spec: n, file: 'pyproject.toml' }, { name: 'torch', spec: 'torch==2.3.1+cu121', file: 'pyproject.toml' }] }),
        choices: { target: 'cpu' },
      };
    case 'healthRoute': {
      const d = detection({ ...sk, entrypoint: { file: 'app.py', kind: variant % 2 ? 'flask' : 'fastapi' } });
      d.routes = [
        { path: variant % 3 === 0 ? `/${n}` : `/health${n}`, methods: ['GET'], file: 'app.py', line: 3 },
        { path: `/${n}/predict`, methods: ['POST'], file: 'app.py', line: 9 },
      ];
      return { detection: d, choices: {} };
    }
    case 'root':
      return { detection: detection({ ...sk, ...flask, root: `/work/${n}` }), choices: { outputs: { kserve: true } } };
    case 'nodeSelector':
      return { detection: detection({ ...sk, ...flask }), choices: { nodeSelector: { [n]: n, 'kubernetes.io/os': n }, outputs: { kserve: true } } };
    case 'torchserve':
      return {
        detection: detection({ frameworks: [{ name: 'pytorch', version: '2.3.1' }], artifacts: [{ file: `w/${n}.pt`, format: 'pytorch', bytes: 10 }], entrypoint: { file: `h/${n}.py`, kind: 'torchserve' } }),
        choices: { runtime: 'torchserve', target, outputs: { kserve: true } },
      };
    case 'triton':
      return {
        detection: detection({ frameworks: [{ name: 'onnxruntime', version: '1.18.0' }], artifacts: [{ file: `m/${n}.onnx`, format: 'onnx', bytes: 10 }] }),
        choices: { runtime: 'triton', target, weightsInImage, modelIo: { inputs: [{ name: n, dataType: 'TYPE_FP32', dims: [-1, 3] }], outputs: [{ name: `${n}_out`, dataType: 'TYPE_FP32', dims: [-1] }] } },
      };
    case 'tfserving':
      return {
        detection: detection({ frameworks: [{ name: 'tensorflow', version: '2.15.0' }], artifacts: [{ file: `export/${n}`, format: 'savedmodel', bytes: 10 }] }),
        choices: { runtime: 'tfserving', target, weightsInImage, outputs: { kserve: true } },
      };
    case 'kserve':
      return { detection: detection({ ...sk, artifacts: [joblib(`models/${n}/model.joblib`)] }), choices: { runtime: 'kserve', target } };
    case 'serve':
      return { detection: detection({ ...sk, dependencyFiles: [], artifacts: [joblib(`${n}.joblib`)] }), choices: { createEntrypoint: true, weightsInImage } };
    case 'imageName':
      return { detection: detection({ ...sk, ...flask }), choices: { imageName: n } };
  }
}

// Reasons a plan may be refused; anything else is a bug.
const REFUSALS = /control character|glob character|backslash|starts with "-"|not a valid image reference|not a valid Kubernetes label|is empty/;

interface Shape {
  path: string;
  kind: 'yaml' | 'dockerfile' | 'lines' | 'python' | 'other';
  /** YAML: documents and their top-level keys; Dockerfile: instruction keywords; lines: entries. */
  shape: string;
}

function yamlShape(text: string): string {
  const docs = parseAllDocuments(text);
  return JSON.stringify(
    docs.map((d) => {
      assert.deepEqual(d.errors, []);
      const v = d.toJS() as unknown;
      return v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v).sort() : typeof v;
    }),
  );
}

function dockerfileShape(text: string): string {
  const instructions = DockerfileParser.parse(text).getInstructions();
  for (const i of instructions) {
    const k = i.getKeyword();
    if (k === 'CMD') assert.ok(Array.isArray(JSON.parse(i.getArgumentsContent() ?? '')), 'CMD stays in exec form');
    if (k === 'COPY' && (i.getArgumentsContent() ?? '').startsWith('[')) assert.ok(Array.isArray(JSON.parse(i.getArgumentsContent() ?? '')), 'COPY JSON form parses');
  }
  return instructions.map((i) => i.getKeyword()).join(' ');
}

function shapes(plan: ScaffoldPlan): Shape[] {
  return plan.files.map((f): Shape => {
    if (/\.ya?ml$/.test(f.path)) return { path: f.path, kind: 'yaml', shape: yamlShape(f.content) };
    if (/(^|\/)Dockerfile$/.test(f.path)) return { path: f.path, kind: 'dockerfile', shape: dockerfileShape(f.content) };
    if (f.path.endsWith('.dockerignore') || f.path.endsWith('.properties') || f.path.endsWith('.pbtxt')) {
      // Docker (and Java properties, protobuf text) treat a line as a comment only when it starts with `#`.
      const entries = f.content.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
      return { path: f.path, kind: 'lines', shape: String(entries.length) };
    }
    if (f.path.endsWith('.py')) return { path: f.path, kind: 'python', shape: f.content };
    return { path: f.path, kind: 'other', shape: '' };
  });
}

function cachedTemplates(t: TemplateSource): TemplateSource {
  const memo = new Map<string, string>();
  return {
    has: (name) => t.has(name),
    read: (name) => {
      let v = memo.get(name);
      if (v === undefined) memo.set(name, (v = t.read(name)));
      return v;
    },
  };
}

test(`${CASES} random hostile names: every generated file keeps the structure of the benign plan`, () => {
  const templates = cachedTemplates(nodeTemplateSource());
  const r = mulberry32(SEED);
  const benign = new Map<string, { plan: ScaffoldPlan; shapes: Shape[] }>();
  const pythonChecks: { label: string; hostile: string; benign: string }[] = [];
  const stats = { planned: 0, refused: 0 };
  for (let i = 0; i < CASES; i++) {
    const slot = SLOTS[Math.floor(r() * SLOTS.length)]!;
    const variant = Math.floor(r() * 6);
    const name = hostileName(r, slot !== 'pyprojectDep' && slot !== 'nodeSelector' && slot !== 'imageName' && slot !== 'healthRoute');
    const label = `case ${i} (${slot}, variant ${variant}): ${JSON.stringify(name)}`;
    const key = `${slot}/${variant}`;
    let ref = benign.get(key);
    if (!ref) {
      const c = makeCase(slot, 'benign', variant);
      const plan = planScaffold(c.detection, c.choices, undefined, templates);
      assert.deepEqual(plan.errors, [], `benign ${key}`);
      ref = { plan, shapes: shapes(plan) };
      benign.set(key, ref);
    }
    const c = makeCase(slot, name, variant);
    let plan: ScaffoldPlan;
    try {
      plan = planScaffold(c.detection, c.choices, undefined, templates);
    } catch (e) {
      assert.fail(`${label}: threw ${String(e)}`);
    }
    if (plan.errors.length) {
      stats.refused++;
      for (const e of plan.errors) assert.match(e, REFUSALS, `${label}: refused for an unexpected reason`);
      if (slot !== 'imageName' && slot !== 'nodeSelector') assert.ok(!/^[A-Za-z0-9 ._]+$/.test(name), `${label}: a plainly safe name was refused: ${plan.errors.join('; ')}`);
      // An unsafe name stops the plan (no files); an invalid image name is an error the CLI
      // refuses to write, but the files it would hold must still be well-formed.
      if (plan.files.length === 0) continue;
    }
    stats.planned++;
    let got: Shape[];
    try {
      got = shapes(plan);
    } catch (e) {
      assert.fail(`${label}: a generated file does not parse: ${String(e)}`);
    }
    assert.equal(got.length, ref.shapes.length, `${label}: files ${got.map((s) => s.path).join(', ')} vs ${ref.shapes.map((s) => s.path).join(', ')}`);
    got.forEach((s, k) => {
      const want = ref.shapes[k]!;
      assert.equal(s.kind, want.kind, `${label}: ${s.path}`);
      if (s.kind === 'python') pythonChecks.push({ label: `${label}: ${s.path}`, hostile: s.shape, benign: want.shape });
      else assert.equal(s.shape, want.shape, `${label}: ${s.path} changed structure\n${plan.files[k]!.content}`);
    });
  }
  // Python files (serve.py) in one interpreter: each must parse to the statements of the benign one.
  if (pythonChecks.length) {
    const script = [
      'import ast, json, sys',
      'out = []',
      'for c in json.load(sys.stdin):',
      '    try:',
      '        h = ast.parse(c["hostile"]); b = ast.parse(c["benign"])',
      '        shape = lambda m: [type(s).__name__ for s in m.body]',
      '        if shape(h) != shape(b): out.append(c["label"] + ": statements differ")',
      '    except SyntaxError as e:',
      '        out.append(c["label"] + ": " + str(e))',
      'print(json.dumps(out))',
    ].join('\n');
    const problems = JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(pythonChecks), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as string[];
    assert.deepEqual(problems, []);
  }
  assert.ok(stats.planned > CASES / 4 && stats.refused > 0, `both outcomes exercised: ${JSON.stringify(stats)}`);
});
