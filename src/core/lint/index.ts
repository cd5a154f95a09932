// YAML lint for Kubernetes manifests and compose files, plus the Dockerfile `cuda-mismatch` rule.
//
// A file is split at `---` into documents; each document is parsed, schema-checked and ruled on its
// own and the result is cached by the document's text. That one design serves three callers: the
// CLI (lintYaml), the editor on every keystroke (lintIncremental: only edited documents are
// re-validated), and huge files (lintYamlAsync: yields between documents).
import { createEngine, DocumentCache, isComposeFileName } from './engine';
import type { AsyncLintOptions, CrdSource, Linter, LintStats } from './engine';
import { DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS, normalizeKubernetesVersion } from './k8s';
import type { Finding, LintOptions } from './types';

export * from './types';
export { lintDockerfile, cudaSatisfies } from './dockerfile';
export { applyFix, tooComplex } from './fix';
export { parseQuantity, parseImage, isGpuImage } from './rules';
/** The Kubernetes minor checked against when none is chosen (the newest bundled). */
export const KUBERNETES_VERSION = DEFAULT_KUBERNETES_VERSION;
export { DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS, normalizeKubernetesVersion, DocumentCache, isComposeFileName };
export type { AsyncLintOptions, CrdSource, Linter, LintStats };

/** A linter owns its loaded validators; keep one per extension host / CLI run and reuse it. */
export function createLinter(): Linter {
  return createEngine();
}

/** Lint a YAML file's text in one go. Pass a long-lived linter to keep compiled schemas across calls. */
export function lintYaml(text: string, file: string, options: LintOptions & { linter?: Linter } = {}): Finding[] {
  return (options.linter ?? createLinter()).lintYaml(text, file, options);
}

/** Re-lint after an edit, re-validating only documents whose text changed. */
export function lintIncremental(linter: Linter, prev: DocumentCache | undefined, text: string, file: string, options?: LintOptions): { findings: Finding[]; cache: DocumentCache } {
  return linter.lintIncremental(prev, text, file, options);
}

/** Lint without blocking the event loop for more than about one document at a time. */
export function lintYamlAsync(text: string, file: string, options: AsyncLintOptions & { linter?: Linter } = {}): Promise<{ findings: Finding[]; cache: DocumentCache }> {
  return (options.linter ?? createLinter()).lintYamlAsync(text, file, options);
}
