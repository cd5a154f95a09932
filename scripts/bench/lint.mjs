#!/usr/bin/env node
// Lint benchmark: ModelDock's YAML linter against yaml-language-server (the engine of Red Hat
// YAML) validating the same inputs with the same Deployment JSON Schema, in one process, and
// against kubeconform (built from the Go module proxy, scripts/lib/kubeconform.mjs) as a whole
// process with the same OpenAPI-derived schemas as local files, on the same inputs: 100
// documents, 50,000 lines, and the corpus of real manifests (test/corpus).
// Prints figures only; targets are in the issues: ≥3× faster than yaml-language-server on full
// validation, at least as fast as kubeconform per document as a whole process, < 10 ms to
// re-validate after a one-line edit in a 100-document file, no slice > 50 ms on a 50,000-line file.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(ROOT, 'package.json'));

const TMP = join(ROOT, '.bench-tmp');

async function buildLinter() {
  const esbuild = require('esbuild');
  mkdirSync(TMP, { recursive: true });
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' };
  await esbuild.build({ ...common, entryPoints: { lint: join(ROOT, 'src/core/lint/index.ts'), jsonschema: join(ROOT, 'src/core/lint/jsonSchema.ts') }, outdir: TMP, outExtension: { '.js': '.cjs' } });
  // The CLI as it ships (minified), for whole-process timings.
  await esbuild.build({ ...common, entryPoints: [join(ROOT, 'src/cli.ts')], outfile: join(TMP, 'cli.cjs'), minify: true, external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'] });
  for (const f of ['lint.cjs', 'jsonschema.cjs']) delete require.cache[join(TMP, f)];
  return { lint: require(join(TMP, 'lint.cjs')), jsonSchema: require(join(TMP, 'jsonschema.cjs')), cli: join(TMP, 'cli.cjs') };
}

function yamlFiles(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

/** Median wall time of `runs` runs of a whole process. */
function processMs(cmd, args, runs) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    try {
      execFileSync(cmd, args, { stdio: 'ignore', maxBuffer: 256 * 1024 * 1024 });
    } catch (err) {
      // Exit 1 = findings/invalid resources: still a complete run.
      if (err.status !== 1) throw err;
    }
    out.push(performance.now() - t0);
  }
  return median(out);
}

function deployment(i, broken) {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: model-${i}
  labels:
    app: model-${i}
    team: ml
spec:
  replicas: ${broken ? 'three' : 2}
  selector:
    matchLabels:
      app: model-${i}
  template:
    metadata:
      labels:
        app: model-${i}
    spec:
      containers:
        - name: server
          image: registry.example.com/model-${i}:1.${i % 10}.0
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: MODEL_PATH
              value: /models/m${i}
          readinessProbe:
            httpGet: {path: /healthz, port: http}
          resources:
            requests: {cpu: 500m, memory: 2Gi}
            limits: {memory: 2Gi}
`;
}

function manifest(docs) {
  const parts = [];
  for (let i = 0; i < docs; i++) parts.push(deployment(i, i % 50 === 7));
  return parts.join('---\n');
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const lines = (s) => s.split('\n').length;

async function time(fn, runs) {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export async function run({ log = console.log } = {}) {
  const { lint, jsonSchema, cli } = await buildLinter();
  const minor = lint.DEFAULT_KUBERNETES_VERSION;
  // The same OpenAPI-derived Deployment schema ModelDock checks with, as a JSON Schema.
  const kubeconformSchemas = jsonSchema.kubeconformSchemas(minor);
  const deploymentSchema = JSON.parse(kubeconformSchemas.get('apps/v1/deployment.json'));

  const { getLanguageService } = require('yaml-language-server/lib/umd/languageservice/yamlLanguageService');
  const { TextDocument } = require('vscode-languageserver-textdocument');
  const schemaUri = 'file:///modeldock/deployment.schema.json';
  const yls = getLanguageService({
    schemaRequestService: async (uri) => {
      if (uri === schemaUri) return JSON.stringify(deploymentSchema);
      throw new Error(`unexpected schema request ${uri}`);
    },
    workspaceContext: { resolveRelativePath: (rel, res) => new URL(rel, res).toString() },
  });
  yls.configure({ validate: true, hover: false, completion: false, format: false, schemas: [{ uri: schemaUri, fileMatch: ['*.yaml'], schema: deploymentSchema }] });
  let version = 0;
  const ylsValidate = (text) => yls.doValidation(TextDocument.create(pathToFileURL('/bench/manifest.yaml').toString(), 'yaml', ++version, text), false);

  const small = manifest(100);
  const large = manifest(Math.ceil(50_000 / lines(deployment(0, false))));
  log(`inputs: ${lines(small)} lines / 100 documents; ${lines(large)} lines / ${large.split('---\n').length} documents`);

  // Sanity: both engines really validate, and see the same 2 broken `replicas` in the 100-document file.
  const mdFindings = lint.createLinter().lintYaml(small, 'bench.yaml').filter((f) => f.rule === 'schema');
  const ylsFindings = (await ylsValidate(small)).filter((d) => /Incorrect type/.test(d.message));
  log(`replicas type errors found: ModelDock ${mdFindings.length} (lines ${mdFindings.map((f) => f.line).join(', ')}), yaml-language-server ${ylsFindings.length} (lines ${ylsFindings.map((d) => d.range.start.line + 1).join(', ')})`);

  const results = {};
  for (const [name, text, runs] of [['100 documents', small, 7], ['50,000 lines', large, 3]]) {
    const cold = await time(() => lint.createLinter().lintYaml(text, 'bench.yaml'), 1);
    const warmLinter = lint.createLinter();
    warmLinter.lintYaml(text, 'bench.yaml');
    const md = await time(() => warmLinter.lintYaml(text, 'bench.yaml'), runs);
    const mdSchemaOnly = await time(() => warmLinter.lintYaml(text, 'bench.yaml', { rules: false }), runs);
    const ylsFirst = await time(() => ylsValidate(text), 1);
    const ylsWarm = await time(() => ylsValidate(text), runs);
    const ratio = median(ylsWarm) / median(md);
    results[name] = ratio;
    log(
      `${name}: ModelDock ${median(md).toFixed(1)} ms (schema only ${median(mdSchemaOnly).toFixed(1)} ms, cold incl. first validator load ${cold[0].toFixed(1)} ms); ` +
        `yaml-language-server ${median(ylsWarm).toFixed(1)} ms (first ${ylsFirst[0].toFixed(1)} ms); ` +
        `ModelDock is ${ratio.toFixed(1)}× faster (target ≥ 3×)`,
    );
  }

  // One-line edits in the 100-document file: only the edited document is re-validated.
  const linter = lint.createLinter();
  let { cache } = linter.lintIncremental(undefined, small, 'bench.yaml');
  const src = small.split('\n');
  const edits = [];
  let revalidated = 0;
  for (let k = 0; k < 20; k++) {
    const idx = src.findIndex((l) => l === `  name: model-${(k * 37) % 100}`);
    const copy = [...src];
    copy[idx + 5] = `  replicas: ${k + 3}`;
    const text = copy.join('\n');
    const t0 = performance.now();
    const r = linter.lintIncremental(cache, text, 'bench.yaml');
    edits.push(performance.now() - t0);
    revalidated = Math.max(revalidated, r.cache.stats.validated);
    cache = r.cache;
  }
  log(`re-validation after a one-line edit (100 documents): median ${median(edits).toFixed(2)} ms, max ${Math.max(...edits).toFixed(2)} ms, documents re-validated per edit ≤ ${revalidated} (target < 10 ms)`);

  // Longest synchronous slice while linting the 50,000-line file with the async variant.
  for (const [label, fresh] of [['warm linter', false], ['cold linter, incl. first validator load', true]]) {
    const l = fresh ? lint.createLinter() : linter;
    const slices = [];
    let resumed = performance.now();
    const t0 = resumed;
    await l.lintYamlAsync(large, 'bench.yaml', {
      sliceMs: 8,
      yieldFn: () => {
        slices.push(performance.now() - resumed);
        return new Promise((r) =>
          setImmediate(() => {
            resumed = performance.now();
            r();
          }),
        );
      },
    });
    slices.push(performance.now() - resumed);
    log(`50,000-line file, async (${label}): longest slice ${Math.max(...slices).toFixed(1)} ms over ${slices.length} slices, total ${(performance.now() - t0).toFixed(0)} ms (target < 50 ms)`);
  }
  // Whole processes: the CLI as shipped, and kubeconform with the same schemas as local files.
  let kubeconform;
  try {
    const { ensureKubeconform, runKubeconform } = await import(pathToFileURL(join(ROOT, 'scripts/lib/kubeconform.mjs')).href);
    kubeconform = { bin: ensureKubeconform({ log }), run: runKubeconform };
  } catch (err) {
    log(`kubeconform unavailable (${err.message}): whole-process comparison skipped`);
  }
  const schemaDir = join(TMP, 'kubeconform-schemas', minor);
  rmSync(schemaDir, { recursive: true, force: true });
  for (const [rel, text] of kubeconformSchemas) {
    mkdirSync(dirname(join(schemaDir, rel)), { recursive: true });
    writeFileSync(join(schemaDir, rel), text);
  }
  const corpus = yamlFiles(join(ROOT, 'test', 'corpus'));
  const inputs = [
    ['100 documents', [join(TMP, 'small.yaml')], 100],
    ['50,000 lines', [join(TMP, 'large.yaml')], large.split('---\n').length],
  ];
  writeFileSync(join(TMP, 'small.yaml'), small);
  writeFileSync(join(TMP, 'large.yaml'), large);
  if (corpus.length) {
    const docs = corpus.reduce((n, f) => n + lint.createLinter().lintIncremental(undefined, require('node:fs').readFileSync(f, 'utf8'), f).cache.stats.documents, 0);
    inputs.push([`corpus of ${corpus.length} real manifest files`, [join(ROOT, 'test', 'corpus')], docs]);
  }
  for (const [name, paths, docs] of inputs) {
    const md = processMs(process.execPath, [cli, 'lint', '--kubernetes-version', minor, ...paths], 3);
    let line = `${name} (${docs} documents), whole process: ModelDock ${md.toFixed(0)} ms (${(md / docs).toFixed(2)} ms/document)`;
    if (kubeconform) {
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(kubeconform.run(kubeconform.bin, schemaDir, paths).ms);
      const kc = median(runs);
      const ratio = kc / md;
      results[`process: ${name}`] = ratio;
      line += `; kubeconform ${kc.toFixed(0)} ms (${(kc / docs).toFixed(2)} ms/document); ModelDock is ${ratio.toFixed(2)}× ${ratio >= 1 ? 'faster' : 'slower'} (goal ≥ 1×)`;
    }
    log(line);
  }
  return results;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run({ log: console.log }).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
