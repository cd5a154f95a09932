// Pure mappings from the core's types to the plain data the webview renders. No vscode import:
// the unit tests load this under plain Node.
import { displayName } from '../../core/detect/names';
import { formatBytes } from '../../core/format';
import type { DetectionResult, Evidence } from '../../core/detect/types';
import type { ScaffoldPlan } from '../../core/scaffold/types';
import type { DetectionView, EvidenceView, FilePreview, PlanView } from '../../../webview/protocol';
import { runtimeOptions } from '../../core/scaffold/plan';
import { projectFacts } from '../../core/scaffold/project';
import { lineDiff } from './diff';

// Same names as the status bar's (features/detect/statusBar.ts); that module imports vscode,
// which this pure module must not.


function evidenceView(e: Evidence): EvidenceView {
  return { file: e.file, line: e.line ?? null, reason: e.reason };
}

function gpuSupport(r: DetectionResult): DetectionView['gpu'] {
  const facts = projectFacts(r);
  const name = facts.primary ? displayName(facts.primary) : 'This project';
  if (facts.gpuFramework === null) return { available: false, reason: `${name} does not use a GPU, so the image is CPU-only.` };
  if (facts.gpuFramework === 'generic') return { available: true, reason: `${name} can use CUDA; the base is a plain nvidia/cuda image.` };
  const version = facts.gpuFrameworkVersion ? ` ${facts.gpuFrameworkVersion}` : ' (not pinned)';
  return { available: true, reason: `CUDA versions follow ${displayName(facts.gpuFramework)}${version}.` };
}

export function detectionView(r: DetectionResult): DetectionView {
  const best = r.entrypoint ? r.entrypoints?.find((c) => c.file === r.entrypoint?.file) : undefined;
  return {
    primary: r.primary,
    primaryDisplay: r.primary ? displayName(r.primary) : 'No ML framework detected',
    frameworks: r.frameworks.map((f) => ({ name: f.name, display: displayName(f.name), version: f.version, evidence: f.evidence.map(evidenceView) })),
    accelerator: r.accelerator,
    cuda: r.cuda,
    python: r.python,
    pythonEvidence: r.pythonEvidence ? evidenceView(r.pythonEvidence) : null,
    entrypoint: r.entrypoint ? { file: r.entrypoint.file, kind: r.entrypoint.kind, line: best?.line ?? null } : null,
    artifacts: r.artifacts.map((a) => ({ file: a.file, format: a.format, bytes: a.bytes, size: formatBytes(a.bytes) })),
    warnings: r.warnings,
    filesSeen: r.stats.filesSeen,
    truncated: r.stats.truncated,
    gpu: gpuSupport(r),
    runtimes: runtimeOptions(r).map((o) => ({ runtime: o.runtime, label: o.label, reason: o.reason })),
  };
}

/** What the webview shows of a plan; `existing` reads the file on disk (undefined: absent). */
export function planView(plan: ScaffoldPlan, existing: (rel: string) => string | undefined): PlanView {
  const files: FilePreview[] = plan.files.map((f) => {
    const before = existing(f.path);
    const differs = before !== undefined && before !== f.content;
    return {
      path: f.path,
      // The plan is made with force (as the command does), so disk decides the action shown.
      action: f.action === 'skip' ? 'skip' : before === undefined ? 'create' : differs ? 'overwrite' : 'unchanged',
      content: f.content,
      exists: differs,
      diff: differs ? lineDiff(before, f.content) : null,
    };
  });
  // Notes that leave work in the files (TODO markers, e.g. Triton inputs/outputs) must not drown
  // among the informational ones: the page shows them as a warning.
  const todo = (n: string): boolean => /\bTODO\b/.test(n);
  return {
    target: plan.target,
    runtime: plan.runtime,
    baseImage: plan.baseImage,
    cuda: plan.cuda,
    image: plan.image,
    ports: plan.ports.map((p) => ({ name: p.name, port: p.port })),
    todos: plan.notes.filter(todo),
    notes: plan.notes.filter((n) => !todo(n)),
    errors: plan.errors,
    unverified: plan.unverified ?? null,
    files,
  };
}

