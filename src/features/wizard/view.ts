// Pure mappings from the core's types to the plain data the webview renders. No vscode import:
// the unit tests load this under plain Node.
import { displayName } from '../../core/detect/names';
import { formatBytes } from '../../core/format';
import type { DetectionResult, Evidence } from '../../core/detect/types';
import type { ScaffoldPlan } from '../../core/scaffold/types';
import type { DetectionView, EvidenceView, FilePreview, LlmDetectionView, LlmPlanView, PlanView } from '../../../webview/protocol';
import { GPU_CATALOG } from '../../core/llm/gpus';
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
    llm: llmDetectionView(r),
  };
}

function llmDetectionView(r: DetectionResult): LlmDetectionView | null {
  const l = r.llm;
  if (!l) return null;
  return {
    models: l.models.map((m) => ({
      path: m.path,
      kind: m.kind,
      what:
        m.kind === 'gguf'
          ? 'GGUF file'
          : `${m.architectures.join(', ') || 'Hugging Face model'}${m.quantization ? ` (${m.quantization.method}${m.quantization.bits ? ` ${m.quantization.bits}-bit` : ''})` : ''}`,
      size: formatBytes(m.bytes),
      evidence: m.evidence.map(evidenceView),
    })),
    runtimes: l.runtimes.map((x) => ({ name: x.name, evidence: x.evidence.map(evidenceView) })),
    code: l.code.map(evidenceView),
    hubModels: l.hubModels.map((h) => ({ ...h })),
  };
}

/** The plan's LLM part as the wizard shows it: the arithmetic rows, the verdict and what would fit. */
export function llmPlanView(plan: ScaffoldPlan): LlmPlanView | null {
  const l = plan.llm;
  if (!l) return null;
  const s = l.sizing;
  const verdict = (label: string, value: string): LlmPlanView['rows'][number]['verdict'] =>
    /^\d+ × /.test(label) ? (value === 'fits' ? 'fits' : value === 'not allowed' ? 'invalid' : 'no') : null;
  const gpuText = l.gpu
    ? `${l.gpu.count} × ${l.gpu.name ?? 'GPU (type not chosen)'}${l.gpu.tensorParallel && l.gpu.tensorParallel > 1 ? `, tensor parallel ${l.gpu.tensorParallel}` : ''}`
    : 'CPU';
  return {
    runtimeName: l.runtimeName,
    model: l.model.path ?? l.model.id ?? '',
    source: l.model.source,
    servedName: l.model.servedName,
    fits: s ? s.fits : null,
    gpuText,
    gpuCount: l.gpu?.count ?? null,
    contextLength: l.contextLength,
    concurrency: l.concurrency,
    rows: s ? s.rows.map((r) => ({ label: r.label, value: r.value, detail: r.detail, verdict: verdict(r.label, r.value) })) : [],
    sentences: s ? s.sentences : [],
    alternatives: s && !s.fits ? s.alternatives.map((a) => a.text) : [],
    assumptions: s ? s.assumptions : [],
    candidates: l.gpuCandidates.map((c) => ({ id: c.id, name: c.name, gpuCount: c.gpuCount, note: c.note ?? null })),
    sizingNote: l.sizingNote,
    gpuOptions: [{ id: 'auto', name: 'Automatic: the type needing the fewest GPUs' }, ...GPU_CATALOG.map((g) => ({ id: g.id, name: g.name }))],
    port: l.port,
    chatRoute: l.routes.chat,
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
    llm: llmPlanView(plan),
  };
}

