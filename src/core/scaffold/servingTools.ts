// Projects made for a serving tool (Cog, BentoML, Truss) served from a plain image: the tool's own
// server where it has one (Cog's `python -m cog.server.http`, `bentoml serve`), a generated
// server where it has none (Truss). What each server listens on and how it says it is ready comes
// from the tools' documentation and code (see the comments at each).
import { parseDocument, isMap, isSeq, isScalar } from 'yaml';
import type { DetectionResult, DependencyFileKind, Entrypoint } from '../detect/types';
import { printable } from '../safePath';
import { posixDirname, renderTemplate } from './common';
import { UnsafeValueError, pyString } from './escape';
import type { PlanInputs } from './inputs';

/** How the Python image runs the project (plan.ts fills it for every entrypoint kind). */
export interface Entry {
  cmd: string[];
  cmdComment: string;
  serving: boolean;
  /** Liveness and startup path (and readiness, unless readyPath/readyCommand say otherwise). */
  healthPath: string | null;
  /** HTTP probe (true) or TCP (false). */
  http: boolean;
  /** Readiness is another path than liveness (BentoML's /readyz). */
  readyPath?: string;
  /** Readiness is a command: the server answers 200 before it is ready (Cog's /health-check). */
  readyCommand?: string[];
  /** HEALTHCHECK command instead of the GET/TCP check, for the same reason. */
  healthTest?: string[];
  /** POST route a smoke test can call, when known. */
  predictRoute: string | null;
  env: { name: string; value: string; comment: string }[];
  createServe: boolean;
  /** Project folder (relative) the server runs from: the one holding the tool's config. */
  runDir?: string;
  /** pip packages the server needs, installed when the project does not declare them. */
  installs?: string[];
  /** Files generated for this entrypoint (the Truss server), written like serve.py: never replaced. */
  files?: { path: string; content: string }[];
}

type ToolKind = 'cog' | 'bentoml' | 'truss';

const CONFIG_NAMES: Record<ToolKind, string[]> = { cog: ['cog.yaml'], bentoml: ['bentofile.yaml', 'bentofile.yml'], truss: ['config.yaml'] };

/**
 * The folder of the tool's config for an entrypoint: the dependency file detection recorded when
 * it lies at or above the entrypoint, else the nearest folder above the entrypoint holding the
 * config (read through the confined project reader), else `fallback`.
 */
function configDir(p: PlanInputs, e: Entrypoint, kind: ToolKind, fallback: string): string {
  const above = (dir: string): boolean => dir === '' || e.file.startsWith(`${dir}/`);
  const recorded = p.detection.dependencyFiles
    .filter((f) => f.kind === (kind as DependencyFileKind) && above(posixDirname(f.file)))
    .map((f) => posixDirname(f.file))
    .sort((a, b) => b.length - a.length)[0];
  if (recorded !== undefined) return recorded;
  if (p.source) {
    let dir = posixDirname(e.file);
    for (;;) {
      if (CONFIG_NAMES[kind].some((n) => p.source?.(dir ? `${dir}/${n}` : n) !== undefined)) return dir;
      if (dir === '') break;
      dir = posixDirname(dir);
    }
  }
  return fallback;
}

function relativeTo(dir: string, file: string): string {
  return dir ? file.slice(dir.length + 1) : file;
}

const declared = (d: DetectionResult, name: string): boolean => d.packages.some((x) => x.name === name);

// A Python identifier and a dotted module path: what the serve commands accept.
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MODULE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** `build.run` commands of a cog.yaml, as written (shown in a note, never copied or run). */
function cogRunCommands(text: string): string[] {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length || !isMap(doc.contents)) return [];
  const build = doc.contents.get('build', true);
  const run = isMap(build) ? build.get('run', true) : undefined;
  if (!isSeq(run)) return [];
  const out: string[] = [];
  for (const it of run.items) {
    const command = isScalar(it) ? it.value : isMap(it) ? it.get('command') : undefined;
    if (typeof command === 'string') out.push(printable(command.trim(), 200));
  }
  return out;
}

// ---------------------------------------------------------------- Cog

/**
 * Cog's Python server: `python -m cog.server.http` (cog 0.14 and the coglet-based 0.17+ alike)
 * binds 0.0.0.0 and the port in $PORT (default 5000), finds the predictor in
 * $COG_PREDICT_TYPE_STUB (`predict.py:Predictor`; cog >= 0.17 requires it, older ones read
 * cog.yaml from the working directory otherwise), serves POST /predictions, and answers
 * GET /health-check with 200 and `status` STARTING / READY / BUSY / SETUP_FAILED / DEFUNCT.
 */
function cogEntry(p: PlanInputs, e: Entrypoint, base: Entry): Entry {
  const runDir = configDir(p, e, 'cog', posixDirname(e.file));
  const object = e.object && IDENT.test(e.object) ? e.object : 'Predictor';
  const stub = `${relativeTo(runDir, e.file)}:${object}`;
  const status = `import json, sys, urllib.request; s = json.load(urllib.request.urlopen('http://127.0.0.1:${p.port}/health-check', timeout=4)).get('status'); sys.exit(0 if s in ('READY', 'BUSY') else 1)`;
  const check = ['python3', '-c', status];
  p.notes.push(
    `Cog: ${e.file} (${object}) is served by Cog's own server (python -m cog.server.http) from ${runDir || 'the project root'}, the folder of cog.yaml: POST /predictions with {"input": {...}}; GET /health-check answers 200 from the start, so readiness and the HEALTHCHECK check its status (READY or BUSY).`,
  );
  if (!declared(p.detection, 'cog')) p.notes.push('cog is not declared: the image installs the newest cog release pip finds for its Python (pin it in the requirements to make the build reproducible).');
  const cogYaml = p.source?.(runDir ? `${runDir}/cog.yaml` : 'cog.yaml');
  const runs = cogYaml ? cogRunCommands(cogYaml) : [];
  if (runs.length) {
    p.notes.push(
      `cog.yaml's build.run commands are not copied into the Dockerfile (ModelDock never runs commands a project names); add the ones the image needs yourself: ${runs.slice(0, 8).map((r) => `\`${r}\``).join('; ')}${runs.length > 8 ? `; and ${runs.length - 8} more` : ''}.`,
    );
  }
  return {
    ...base,
    cmd: ['python3', '-m', 'cog.server.http'],
    cmdComment: `Cog's server for ${stub}; it listens on $PORT on all interfaces.`,
    healthPath: '/health-check',
    http: true,
    readyCommand: check,
    healthTest: check,
    predictRoute: '/predictions',
    env: [{ name: 'COG_PREDICT_TYPE_STUB', value: stub, comment: "Cog's server loads this predictor (file:class, relative to cog.yaml's folder)." }],
    runDir,
    installs: ['cog'],
  };
}

// ---------------------------------------------------------------- BentoML

/**
 * `bentoml serve <module>:<Service> --host --port` from the folder of bentofile.yaml (the import
 * root BentoML uses); /livez (= /healthz) says the process is up, /readyz that the service is.
 */
function bentomlEntry(p: PlanInputs, e: Entrypoint, base: Entry): Entry {
  const runDir = configDir(p, e, 'bentoml', posixDirname(e.file));
  const module = relativeTo(runDir, e.file).replace(/\.py$/, '').split('/').join('.');
  const object = e.object && IDENT.test(e.object) ? e.object : null;
  const target = object && MODULE.test(module) ? `${module}:${object}` : '.';
  if (target === '.') p.notes.push(`BentoML: the service object in ${e.file} is not known: \`bentoml serve .\` serves the service bentofile.yaml names.`);
  p.notes.push(
    `BentoML: ${e.file} is served with \`bentoml serve ${target}\` from ${runDir || 'the project root'}; readiness uses /readyz, liveness /livez. Each @bentoml.api method is a POST route named after it.`,
  );
  if (!declared(p.detection, 'bentoml')) p.notes.push('bentoml is not declared: the image installs the newest release pip finds (pin it in the requirements to make the build reproducible).');
  return {
    ...base,
    cmd: ['bentoml', 'serve', target, '--host', '0.0.0.0', '--port', String(p.port)],
    cmdComment: `Serve the BentoML service ${target === '.' ? 'bentofile.yaml names' : target} on all interfaces.`,
    healthPath: '/livez',
    readyPath: '/readyz',
    http: true,
    predictRoute: null,
    runDir,
    installs: ['bentoml'],
  };
}

// ---------------------------------------------------------------- Truss

export const TRUSS_SERVER = 'truss_server.py';

/**
 * Truss has no command that serves a model outside its images: a small generated server creates
 * the model class (from config.yaml's model_module_dir / model_class_filename / model_class_name,
 * which detection resolved to the entrypoint), calls load(), then predict().
 */
function trussEntry(p: PlanInputs, e: Entrypoint, base: Entry): Entry {
  const runDir = configDir(p, e, 'truss', posixDirname(posixDirname(e.file)));
  const object = e.object && IDENT.test(e.object) ? e.object : 'Model';
  const modelFile = relativeTo(runDir, e.file);
  const content = renderTemplate(p.templates, 'python/truss_server.py.tmpl', {
    modelRefPy: pyString(`${e.file}:${object}`),
    trussDirPy: pyString(runDir ? `/app/${runDir}` : '/app'),
    modelFilePy: pyString(modelFile),
    modelClassPy: pyString(object),
    port: p.port,
  });
  p.notes.push(
    `Truss: no Truss command serves a model outside Truss's images, so ${TRUSS_SERVER} (generated, yours to edit) creates ${object} from ${e.file}, calls load() once, and serves POST /predict (and Truss's /v1/models/model:predict); /healthz is 200 once the model is loaded.`,
  );
  return {
    ...base,
    cmd: ['python3', `/app/${TRUSS_SERVER}`],
    cmdComment: `Run the generated Truss server (${TRUSS_SERVER}) for ${e.file}:${object}.`,
    healthPath: '/livez',
    readyPath: '/healthz',
    http: true,
    predictRoute: '/predict',
    runDir,
    installs: ['pyyaml'],
    files: [{ path: TRUSS_SERVER, content }],
  };
}

/** The entry of a Cog, BentoML or Truss project. */
export function toolEntry(p: PlanInputs, e: Entrypoint & { kind: ToolKind }, base: Entry): Entry {
  for (const part of e.file.split('/')) {
    // The run folder becomes a WORKDIR and the stub an ENV value: refuse what cannot be a path.
    if (part === '..' || part === '') throw new UnsafeValueError('the entrypoint path', e.file, 'is not a path inside the project');
  }
  switch (e.kind) {
    case 'cog':
      return cogEntry(p, e, base);
    case 'bentoml':
      return bentomlEntry(p, e, base);
    case 'truss':
      return trussEntry(p, e, base);
  }
}

