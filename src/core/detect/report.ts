// From the per-file facts to the report: frameworks with evidence and versions, the accelerator
// rule, CUDA, Python, entrypoint. Synchronous and cheap, so it simply reruns after any change.
import { printable } from '../safePath';
import { shorten, type FileFacts, type PackageFact } from './facts';
import { DEEP_LEARNING, IMPORT_FRAMEWORKS, PACKAGE_FRAMEWORKS, PRIMARY_ORDER, RUNS_ON, TORCH_FAMILY } from './frameworks';
import { classifyIndexUrl, cudaFromTag } from './pep508';
import type {
  Artifact,
  DeclaredPackage,
  DependencyFile,
  DetectionResult,
  EntrypointCandidate,
  EntrypointKind,
  Evidence,
  FrameworkFinding,
  FrameworkName,
  SystemPackage,
} from './types';

export interface AggregateInput {
  root: string;
  /** Walked files in walk order, then files reached only through includes. */
  files: readonly FileFacts[];
  /** Files reached only through `-c` (constraints): they pin versions but install nothing. */
  constraintOnly: ReadonlySet<string>;
  artifacts: readonly Artifact[];
  /** Walk and include warnings: reported first. */
  warnings: readonly string[];
  stats: DetectionResult['stats'];
}

/** Import evidence is capped per framework: a monorepo can import torch in thousands of files. */
export const MAX_IMPORT_EVIDENCE = 10;

interface Signal {
  cuda?: string;
  rank: number;
  where: string;
}

interface FrameworkAcc {
  declared: Evidence[];
  locked: Evidence[];
  /** Declared or locked model libraries that run on this framework (diffusers → PyTorch). */
  implied: Evidence[];
  imports: Evidence[];
  importCount: number;
  versions: Array<{ version: string; origin: PackageFact['origin']; where: string }>;
}

// A serving tool's config (or API) says outright how the model is served: it beats what is
// inferred from framework calls, and any of those beats a script that merely has a `__main__`.
const ENTRYPOINT_ORDER: readonly EntrypointKind[] = ['cog', 'bentoml', 'truss', 'fastapi', 'flask', 'gradio', 'streamlit', 'torchserve', 'script'];
const PREFERRED_ENTRY_FILES = ['app.py', 'main.py', 'serve.py', 'server.py', 'api.py', 'handler.py', 'predict.py', 'inference.py'];

/** `file:line` for messages, the name escaped. */
function at(file: string, line?: number): string {
  return line ? `${printable(file)}:${line}` : printable(file);
}

/**
 * A package as messages show it, rebuilt from what was parsed and validated (name, extras,
 * version), never the line as written.
 */
function label(p: PackageFact): string {
  const extras = p.extras.filter((e) => /^[a-z0-9-]+$/.test(e));
  return `${p.name}${extras.length ? `[${extras.join(',')}]` : ''}${p.version ? `==${p.version}${p.local ? `+${p.local}` : ''}` : ''}`;
}

/** Frameworks whose model-building use in code can outweigh another's (the DL runtimes). */
const MODEL_RUNTIMES: ReadonlySet<FrameworkName> = new Set<FrameworkName>(['pytorch', 'tensorflow', 'jax']);

function evidence(file: string, line: number | undefined, reason: string): Evidence {
  return line ? { file, line, reason } : { file, reason };
}

function depth(rel: string): number {
  let n = 0;
  for (let i = 0; i < rel.length; i++) if (rel.charCodeAt(i) === 47) n++;
  return n;
}

function isTestFile(rel: string): boolean {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  return /^(test_.*|.*_test|conftest|setup)\.py$/.test(base) || /(^|\/)(tests?|testing|docs?)\//.test(rel);
}

export function aggregate(input: AggregateInput): DetectionResult {
  const warnings: string[] = [...input.warnings];
  const dependencyFiles: DependencyFile[] = [];
  const packages: DeclaredPackage[] = [];
  const indexUrls: string[] = [];
  const acc = new Map<FrameworkName, FrameworkAcc>();
  const cudaSignals: Signal[] = [];
  /** CPU build selections, with the framework they select for (a data-only one's choice does not count). */
  const cpuSignals: Array<{ where: string; framework?: FrameworkName }> = [];
  const gpuSignals: string[] = [];
  const entrypoints: Array<EntrypointCandidate & { order: number; fromConfig: boolean }> = [];
  const modelUse = new Map<FrameworkName, Evidence>();
  const dataUse = new Map<FrameworkName, Evidence>();
  const systemPackages = new Map<string, SystemPackage>();
  let python: { version: string; rank: number; depth: number; ev: Evidence } | null = null;

  const fw = (name: FrameworkName): FrameworkAcc => {
    let a = acc.get(name);
    if (!a) {
      a = { declared: [], locked: [], implied: [], imports: [], importCount: 0, versions: [] };
      acc.set(name, a);
    }
    return a;
  };
  const constraintPins: Array<{ framework: FrameworkName; version: string; where: string }> = [];

  for (const f of input.files) {
    warnings.push(...f.warnings);
    if (f.dependencyKind) dependencyFiles.push({ file: f.file, kind: f.dependencyKind });
    const constraintFile = input.constraintOnly.has(f.file);

    for (const p of f.packages) {
      const origin = p.origin === 'declared' && constraintFile ? 'constraint' : p.origin;
      const where = at(f.file, p.line);
      if (origin === 'declared') {
        const d: DeclaredPackage = { name: p.name, version: p.version, spec: p.spec, extras: p.extras, file: f.file };
        if (p.line) d.line = p.line;
        if (p.local) d.local = p.local;
        if (p.marker) d.marker = p.marker;
        packages.push(d);
      }
      const m = PACKAGE_FRAMEWORKS[p.name];
      if (m) {
        if (origin === 'constraint') {
          if (m.core && p.version && p.linux) constraintPins.push({ framework: m.framework, version: p.version, where });
        } else {
          const a = fw(m.framework);
          (origin === 'locked' ? a.locked : a.declared).push(evidence(f.file, p.line, p.reason));
          if (m.core && p.version && p.linux) a.versions.push({ version: p.version, origin, where });
          const backend = RUNS_ON.get(m.framework);
          if (backend) fw(backend).implied.push(evidence(f.file, p.line, `${p.reason} (runs on PyTorch)`));
        }
      }
      if (!p.linux) continue;
      // Build selection signals (CUDA pins, CPU builds, GPU-only packages). Messages show the
      // package as parsed, not the line as written.
      const why = `${where} ${label(p)}`;
      const local = p.local;
      if (local) {
        const cuda = cudaFromTag(local);
        if (cuda) cudaSignals.push({ cuda, rank: TORCH_FAMILY.has(p.name) ? 0 : 1, where: why });
        else if (local === 'cpu' && TORCH_FAMILY.has(p.name)) cpuSignals.push({ where: why, framework: 'pytorch' });
        else if (local.startsWith('rocm')) gpuSignals.push(why);
      }
      if (p.name === 'jax' || p.name === 'jaxlib') {
        for (const e of p.extras) {
          const cu = /^cuda(\d+)?/.exec(e);
          if (!cu) continue;
          if (cu[1]) cudaSignals.push({ cuda: cu[1], rank: 5, where: why });
          else gpuSignals.push(why);
        }
      }
      if (p.name === 'tensorflow' && p.extras.includes('and-cuda')) gpuSignals.push(why);
      if (p.name === 'onnxruntime-gpu' || p.name === 'tensorflow-gpu' || p.name === 'tf-nightly-gpu') gpuSignals.push(why);
      if ((p.name === 'tensorflow-cpu' || p.name === 'tf-nightly-cpu') && origin !== 'constraint') cpuSignals.push({ where: why, framework: 'tensorflow' });
      if (origin === 'declared') {
        // Declared CUDA runtime wheels say which CUDA major the project targets; in a lock they
        // only come along with torch's default wheel, so they are not read there.
        const nv = /^nvidia-[a-z0-9-]+-cu(\d+)$/.exec(p.name);
        if (nv) cudaSignals.push({ cuda: nv[1]!, rank: 6, where: why });
        const cupy = /^cupy-cuda(\d+)(x?)$/.exec(p.name);
        if (cupy) {
          const cuda = cupy[2] ? cupy[1]! : cudaFromTag(`cu${cupy[1]}`);
          if (cuda) cudaSignals.push({ cuda, rank: 6, where: why });
        }
      }
    }

    for (const u of f.indexUrls) {
      if (!indexUrls.includes(u.url)) indexUrls.push(u.url);
      const c = classifyIndexUrl(u.url);
      const where = `${at(f.file, u.line)} ${shorten(u.url, 80)}`;
      if (c.cuda) cudaSignals.push({ cuda: c.cuda, rank: 2, where });
      if (c.cpu) cpuSignals.push({ where, framework: 'pytorch' });
      if (c.rocm) gpuSignals.push(where);
    }

    for (const h of f.hints) {
      const where = `${at(f.file, h.line)} ${h.reason}`;
      if (h.cuda) cudaSignals.push({ cuda: h.cuda, rank: 3, where });
      if (h.cpu) cpuSignals.push({ where });
      if (h.gpu) gpuSignals.push(where);
    }

    for (const imp of f.imports) {
      const name = IMPORT_FRAMEWORKS[imp.module];
      if (!name) continue;
      const a = fw(name);
      a.importCount++;
      if (a.imports.length < MAX_IMPORT_EVIDENCE) a.imports.push(evidence(f.file, imp.line, imp.reason));
      const backend = RUNS_ON.get(name);
      if (backend) {
        const b = fw(backend);
        b.importCount++;
        if (b.imports.length < MAX_IMPORT_EVIDENCE) b.imports.push(evidence(f.file, imp.line, `${imp.reason} (runs on PyTorch)`));
      }
    }

    if (f.usage && !isTestFile(f.file)) {
      for (const u of f.usage) {
        const into = u.use === 'model' ? modelUse : dataUse;
        if (!into.has(u.framework)) into.set(u.framework, evidence(f.file, u.line, u.reason));
      }
    }

    for (const s of f.systemPackages ?? []) {
      if (!systemPackages.has(s.name)) systemPackages.set(s.name, { name: s.name, file: f.file, ...(s.line ? { line: s.line } : {}) });
    }

    for (const e of f.entrypoints) {
      const file = e.target ?? f.file;
      if (isTestFile(file)) continue;
      // The same entrypoint named by a config and found in the code: one candidate, with the
      // code's line and the config's object.
      const same = entrypoints.find((x) => x.file === file && x.kind === e.kind);
      if (same) {
        if (e.object && !same.object) same.object = e.object;
        if (same.fromConfig && !e.target) {
          same.line = e.line;
          same.fromConfig = false;
        }
        continue;
      }
      entrypoints.push({ file, kind: e.kind, line: e.target ? 1 : e.line, ...(e.object ? { object: e.object } : {}), order: entrypoints.length, fromConfig: !!e.target });
    }

    if (f.python) {
      const d = depth(f.file);
      const p = f.python;
      if (!python || p.rank < python.rank || (p.rank === python.rank && d < python.depth)) {
        python = { version: p.version, rank: p.rank, depth: d, ev: evidence(f.file, p.line, shorten(p.reason, 80)) };
      }
    }
  }

  // What builds and trains the model. A JAX/Flax project often declares TensorFlow for tf.data
  // and tfds (and may hide the GPUs from it), or PyTorch for a DataLoader: when another runtime
  // has model-building code and this one has none, it is a data dependency, not the framework.
  const builds = new Set<FrameworkName>(modelUse.keys());
  if (builds.has('keras')) builds.add('tensorflow');
  const dataOnly = new Set<FrameworkName>();
  for (const name of ['tensorflow', 'pytorch'] as const) {
    if (!acc.has(name) || builds.has(name)) continue;
    if ([...builds].some((b) => b !== name && MODEL_RUNTIMES.has(b))) dataOnly.add(name);
  }

  // Frameworks, versions.
  const frameworks: FrameworkFinding[] = [];
  const hasDependencyFiles = dependencyFiles.length > 0;
  for (const name of PRIMARY_ORDER) {
    const a = acc.get(name);
    if (!a) continue;
    const locked = a.versions.filter((v) => v.origin === 'locked');
    const declared = a.versions.filter((v) => v.origin === 'declared');
    const constrained = constraintPins.filter((c) => c.framework === name);
    const chosen = locked[0] ?? declared[0] ?? constrained[0];
    const distinct = new Map<string, string>();
    for (const v of [...locked, ...declared]) if (!distinct.has(v.version)) distinct.set(v.version, v.where);
    if (chosen && distinct.size > 1) {
      const list = [...distinct].map(([v, w]) => `${v} (${w})`).join(', ');
      warnings.push(`${name} is pinned to different versions: ${list}; reporting ${chosen.version}${locked[0] ? ' (locked)' : ''}`);
    }
    const usage = dataOnly.has(name) ? dataUse.get(name) : undefined;
    frameworks.push({
      name,
      version: chosen?.version ?? null,
      evidence: [...a.declared, ...a.locked, ...a.implied, ...a.imports, ...(usage ? [usage] : [])],
      ...(dataOnly.has(name) ? { role: 'data' as const } : {}),
    });
    if (a.declared.length === 0 && a.locked.length === 0 && a.implied.length === 0 && a.imports[0]) {
      const first = a.imports[0];
      const tfCoversKeras = name === 'keras' && ((acc.get('tensorflow')?.declared.length ?? 0) > 0 || (acc.get('tensorflow')?.locked.length ?? 0) > 0);
      if (hasDependencyFiles && !tfCoversKeras) {
        warnings.push(`${name} is imported (${at(first.file, first.line)}) but no dependency file declares it`);
      }
    }
  }
  if (!hasDependencyFiles && frameworks.length) {
    warnings.push('no dependency file found (requirements*.txt, pyproject.toml, setup.py/setup.cfg, Pipfile, environment.yml): frameworks were inferred from imports, without versions');
  }
  // Data-only frameworks are listed after the others: frameworks[0] stays the primary.
  frameworks.sort((x, y) => (x.role ? 1 : 0) - (y.role ? 1 : 0));
  const primary = frameworks[0] && !frameworks[0].role ? frameworks[0].name : null;
  const demoted = frameworks.filter((f) => f.role === 'data');
  if (demoted.length && primary) {
    const ev = modelUse.get(primary) ?? (primary === 'tensorflow' ? modelUse.get('keras') : undefined);
    for (const f of demoted) {
      warnings.push(`${f.name} is used only around the model${dataUse.has(f.name) ? ` (${at(dataUse.get(f.name)!.file, dataUse.get(f.name)!.line)})` : ''}; ${primary} builds and trains it${ev ? ` (${at(ev.file, ev.line)})` : ''}: reporting ${primary} as the framework`);
    }
  }

  // Accelerator and CUDA: the issue's rule, CPU selection first. A data-only framework does not
  // make a project a GPU project.
  const dl = frameworks.filter((f) => DEEP_LEARNING.has(f.name) && !f.role).map((f) => f.name);
  let accelerator: 'gpu' | 'cpu';
  // `tensorflow-cpu` next to a JAX model is how such projects keep TensorFlow off the GPU: it
  // selects nothing for the project.
  const cpuChoices = cpuSignals.filter((s) => !s.framework || !dataOnly.has(s.framework)).map((s) => s.where);
  if (cpuChoices.length) {
    accelerator = 'cpu';
    const gpuWhy = [...cudaSignals.map((s) => s.where), ...gpuSignals];
    if (gpuWhy.length) {
      warnings.push(`both CPU and GPU builds are selected (CPU: ${cpuChoices[0]}; GPU: ${gpuWhy[0]}); reporting cpu because the project explicitly selects CPU builds`);
    }
  } else if (cudaSignals.length || gpuSignals.length || dl.length) {
    accelerator = 'gpu';
  } else {
    accelerator = 'cpu';
  }
  let cuda: string | null = null;
  if (accelerator === 'gpu' && cudaSignals.length) {
    const sorted = cudaSignals.map((s, i) => ({ s, i })).sort((a, b) => a.s.rank - b.s.rank || a.i - b.i);
    const best = sorted[0]!.s;
    cuda = best.cuda ?? null;
    const clash = sorted.find(({ s }) => s.cuda && cuda && !(s.cuda === cuda || cuda.startsWith(`${s.cuda}.`) || s.cuda.startsWith(`${cuda}.`)));
    if (clash) warnings.push(`conflicting CUDA versions: ${cuda} (${best.where}) and ${clash.s.cuda} (${clash.s.where}); reporting ${cuda}`);
  }

  entrypoints.sort((a, b) => {
    const k = ENTRYPOINT_ORDER.indexOf(a.kind) - ENTRYPOINT_ORDER.indexOf(b.kind);
    if (k) return k;
    const pa = PREFERRED_ENTRY_FILES.indexOf(a.file.slice(a.file.lastIndexOf('/') + 1));
    const pb = PREFERRED_ENTRY_FILES.indexOf(b.file.slice(b.file.lastIndexOf('/') + 1));
    if ((pa >= 0) !== (pb >= 0)) return pa >= 0 ? -1 : 1;
    return depth(a.file) - depth(b.file) || a.order - b.order;
  });
  const candidates: EntrypointCandidate[] = entrypoints.map(({ file, kind, line, object }) => ({ file, kind, line, ...(object ? { object } : {}) }));
  const best = candidates[0];

  const py = python as { version: string; ev: Evidence } | null;
  return {
    root: input.root,
    frameworks,
    primary,
    accelerator,
    cuda,
    python: py?.version ?? null,
    entrypoint: best ? { file: best.file, kind: best.kind, ...(best.object ? { object: best.object } : {}) } : null,
    artifacts: input.artifacts.map((a) => ({ file: a.file, format: a.format, bytes: a.bytes })),
    llm: null,
    warnings: [...new Set(warnings)],
    dependencyFiles,
    packages,
    indexUrls,
    stats: input.stats,
    pythonEvidence: py?.ev ?? null,
    entrypoints: candidates,
    systemPackages: [...systemPackages.values()],
  };
}
