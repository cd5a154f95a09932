// DetectionResult literals for scaffold tests (no dependency on core/detect's implementation).
import { PIP_NAME } from '../../../src/core/scaffold/project';
import type { Artifact, DetectionResult, Entrypoint, FrameworkName, DeclaredPackage, DependencyFile } from '../../../src/core/detect/types';

export interface FixtureOptions {
  root?: string;
  frameworks?: { name: FrameworkName; version: string | null }[];
  accelerator?: 'gpu' | 'cpu';
  python?: string | null;
  entrypoint?: Entrypoint | null;
  artifacts?: Artifact[];
  packages?: Partial<DeclaredPackage>[];
  dependencyFiles?: DependencyFile[];
  cuda?: string | null;
  indexUrls?: string[];
}

export function detection(o: FixtureOptions = {}): DetectionResult {
  const frameworks = (o.frameworks ?? []).map((f) => ({ name: f.name, version: f.version, evidence: [{ file: 'requirements.txt', line: 1, reason: 'declared' }] }));
  const packages: DeclaredPackage[] = (o.packages ?? []).map((p) => ({
    name: p.name ?? 'x',
    version: p.version ?? null,
    spec: p.spec ?? (p.version ? `${p.name}==${p.version}` : (p.name ?? 'x')),
    extras: p.extras ?? [],
    file: p.file ?? 'requirements.txt',
    ...(p.line !== undefined ? { line: p.line } : {}),
    ...(p.local !== undefined ? { local: p.local } : {}),
  }));
  return {
    root: o.root ?? '/work/projects/demo-model',
    frameworks,
    primary: frameworks[0]?.name ?? null,
    accelerator: o.accelerator ?? 'cpu',
    cuda: o.cuda ?? null,
    python: o.python === undefined ? '3.11' : o.python,
    entrypoint: o.entrypoint === undefined ? null : o.entrypoint,
    artifacts: o.artifacts ?? [],
    warnings: [],
    dependencyFiles: o.dependencyFiles ?? [{ file: 'requirements.txt', kind: 'requirements' }],
    packages,
    indexUrls: o.indexUrls ?? [],
    stats: { filesSeen: 10, truncated: false, elapsedMs: 1 },
  };
}

export const PIP: Record<FrameworkName, string> = PIP_NAME;

/** A typical project of one framework: pinned in requirements.txt, a FastAPI server, one artifact. */
export function frameworkProject(name: FrameworkName, version: string | null, extra: FixtureOptions = {}): DetectionResult {
  const artifactFor: Partial<Record<FrameworkName, Artifact>> = {
    pytorch: { file: 'models/model.pt', format: 'pytorch', bytes: 50_000_000 },
    tensorflow: { file: 'models/saved_model', format: 'savedmodel', bytes: 80_000_000 },
    keras: { file: 'models/model.keras', format: 'keras', bytes: 20_000_000 },
    'scikit-learn': { file: 'model.joblib', format: 'joblib', bytes: 1_000_000 },
    xgboost: { file: 'model.joblib', format: 'joblib', bytes: 1_000_000 },
    lightgbm: { file: 'model.joblib', format: 'joblib', bytes: 1_000_000 },
    catboost: { file: 'model.joblib', format: 'joblib', bytes: 1_000_000 },
    onnxruntime: { file: 'models/model.onnx', format: 'onnx', bytes: 10_000_000 },
    transformers: { file: 'models/hf', format: 'huggingface', bytes: 400_000_000 },
  };
  const art = artifactFor[name];
  return detection({
    frameworks: [{ name, version }],
    packages: [{ name: PIP[name], version }, { name: 'fastapi', version: '0.110.0' }, { name: 'uvicorn', version: '0.29.0' }],
    entrypoint: { file: 'app/main.py', kind: 'fastapi' },
    artifacts: art ? [art] : [],
    ...extra,
  });
}
