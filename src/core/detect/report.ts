// From the per-file facts to the report: frameworks with evidence and versions, the accelerator
// rule, CUDA, Python, entrypoint. Synchronous and cheap, so it simply reruns after any change.
import type { FileFacts, PackageFact } from './facts';
import { DEEP_LEARNING, IMPORT_FRAMEWORKS, PACKAGE_FRAMEWORKS, PRIMARY_ORDER, TORCH_FAMILY } from './frameworks';
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
  imports: Evidence[];
  importCount: number;
  versions: Array<{ version: string; origin: PackageFact['origin']; where: string }>;
}

const ENTRYPOINT_ORDER: readonly EntrypointKind[] = ['fastapi', 'flask', 'gradio', 'streamlit', 'torchserve', 'script'];
const PREFERRED_ENTRY_FILES = ['app.py', 'main.py', 'serve.py', 'server.py', 'api.py', 'handler.py', 'predict.py', 'inference.py'];

function at(file: string, line?: number): string {
  return line ? `${file}:${line}` : file;
}

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
  const cpuSignals: string[] = [];
  const gpuSignals: string[] = [];
  const entrypoints: Array<EntrypointCandidate & { order: number }> = [];
  let python: { version: string; rank: number; depth: number; ev: Evidence } | null = null;

  const fw = (name: FrameworkName): FrameworkAcc => {
    let a = acc.get(name);
    if (!a) {
      a = { declared: [], locked: [], imports: [], importCount: 0, versions: [] };
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
        }
      }
      if (!p.linux) continue;
      // Build selection signals (CUDA pins, CPU builds, GPU-only packages).
      const local = p.local;
      if (local) {
        const cuda = cudaFromTag(local);
        if (cuda) cudaSignals.push({ cuda, rank: TORCH_FAMILY.has(p.name) ? 0 : 1, where: `${where} ${p.reason}` });
        else if (local === 'cpu' && TORCH_FAMILY.has(p.name)) cpuSignals.push(`${where} ${p.reason}`);
        else if (local.startsWith('rocm')) gpuSignals.push(`${where} ${p.reason}`);
      }
      if (p.name === 'jax' || p.name === 'jaxlib') {
        for (const e of p.extras) {
          const cu = /^cuda(\d+)?/.exec(e);
          if (!cu) continue;
          if (cu[1]) cudaSignals.push({ cuda: cu[1], rank: 5, where: `${where} ${p.reason}` });
          else gpuSignals.push(`${where} ${p.reason}`);
        }
      }
      if (p.name === 'tensorflow' && p.extras.includes('and-cuda')) gpuSignals.push(`${where} ${p.reason}`);
      if (p.name === 'onnxruntime-gpu' || p.name === 'tensorflow-gpu' || p.name === 'tf-nightly-gpu') gpuSignals.push(`${where} ${p.reason}`);
      if ((p.name === 'tensorflow-cpu' || p.name === 'tf-nightly-cpu') && origin !== 'constraint') cpuSignals.push(`${where} ${p.reason}`);
      if (origin === 'declared') {
        // Declared CUDA runtime wheels say which CUDA major the project targets; in a lock they
        // only come along with torch's default wheel, so they are not read there.
        const nv = /^nvidia-[a-z0-9-]+-cu(\d+)$/.exec(p.name);
        if (nv) cudaSignals.push({ cuda: nv[1]!, rank: 6, where: `${where} ${p.reason}` });
        const cupy = /^cupy-cuda(\d+)(x?)$/.exec(p.name);
        if (cupy) {
          const cuda = cupy[2] ? cupy[1]! : cudaFromTag(`cu${cupy[1]}`);
          if (cuda) cudaSignals.push({ cuda, rank: 6, where: `${where} ${p.reason}` });
        }
      }
    }

    for (const u of f.indexUrls) {
      if (!indexUrls.includes(u.url)) indexUrls.push(u.url);
      const c = classifyIndexUrl(u.url);
      const where = `${at(f.file, u.line)} ${u.url}`;
      if (c.cuda) cudaSignals.push({ cuda: c.cuda, rank: 2, where });
      if (c.cpu) cpuSignals.push(where);
      if (c.rocm) gpuSignals.push(where);
    }

    for (const h of f.hints) {
      const where = `${at(f.file, h.line)} ${h.reason}`;
      if (h.cuda) cudaSignals.push({ cuda: h.cuda, rank: 3, where });
      if (h.cpu) cpuSignals.push(where);
      if (h.gpu) gpuSignals.push(where);
    }

    for (const imp of f.imports) {
      const name = IMPORT_FRAMEWORKS[imp.module];
      if (!name) continue;
      const a = fw(name);
      a.importCount++;
      if (a.imports.length < MAX_IMPORT_EVIDENCE) a.imports.push(evidence(f.file, imp.line, imp.reason));
    }

    for (const e of f.entrypoints) {
      if (isTestFile(f.file)) continue;
      entrypoints.push({ file: f.file, kind: e.kind, line: e.line, order: entrypoints.length });
    }

    if (f.python) {
      const d = depth(f.file);
      const p = f.python;
      if (!python || p.rank < python.rank || (p.rank === python.rank && d < python.depth)) {
        python = { version: p.version, rank: p.rank, depth: d, ev: evidence(f.file, p.line, p.reason) };
      }
    }
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
    frameworks.push({ name, version: chosen?.version ?? null, evidence: [...a.declared, ...a.locked, ...a.imports] });
    if (a.declared.length === 0 && a.locked.length === 0 && a.imports[0]) {
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
  const primary = frameworks[0]?.name ?? null;

  // Accelerator and CUDA: the rule, CPU selection first.
  const dl = frameworks.filter((f) => DEEP_LEARNING.has(f.name)).map((f) => f.name);
  let accelerator: 'gpu' | 'cpu';
  if (cpuSignals.length) {
    accelerator = 'cpu';
    const gpuWhy = [...cudaSignals.map((s) => s.where), ...gpuSignals];
    if (gpuWhy.length) {
      warnings.push(`both CPU and GPU builds are selected (CPU: ${cpuSignals[0]}; GPU: ${gpuWhy[0]}); reporting cpu because the project explicitly selects CPU builds`);
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
  const candidates: EntrypointCandidate[] = entrypoints.map(({ file, kind, line }) => ({ file, kind, line }));
  const best = candidates[0];

  const py = python as { version: string; ev: Evidence } | null;
  return {
    root: input.root,
    frameworks,
    primary,
    accelerator,
    cuda,
    python: py?.version ?? null,
    entrypoint: best ? { file: best.file, kind: best.kind } : null,
    artifacts: input.artifacts.map((a) => ({ file: a.file, format: a.format, bytes: a.bytes })),
    warnings: [...new Set(warnings)],
    dependencyFiles,
    packages,
    indexUrls,
    stats: input.stats,
    pythonEvidence: py?.ev ?? null,
    entrypoints: candidates,
  };
}
