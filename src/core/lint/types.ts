// Public shapes of the linter: plain data so the CLI prints it, the extension turns it into
// Diagnostics/CodeActions, and tests compare it with deepEqual.

export type Severity = 'error' | 'warning' | 'info';

export type RuleId =
  | 'syntax'
  | 'duplicate-key'
  | 'schema'
  | 'selector-mismatch'
  | 'gpu-fractional'
  | 'gpu-request-mismatch'
  | 'requests-exceed-limits'
  | 'image-latest'
  | 'missing-resources'
  | 'missing-probes'
  | 'port-mismatch'
  | 'gpu-image-without-gpu'
  | 'shm-missing'
  | 'cuda-mismatch'
  /** The file could not be checked within its time budget (editor only). */
  | 'too-complex'
  /** An apiVersion the chosen Kubernetes version does not serve (removed, not yet, wrong group), or an unknown kind of a built-in group. */
  | 'api-version'
  /** An apiVersion the chosen Kubernetes version serves but a later one removes, or a deprecated CRD version. */
  | 'deprecated-api'
  /** Documents in the file that no bundled or workspace schema covers (once per file). */
  | 'unchecked';

/** 1-based line and column; the end is exclusive (the column just after the last character). */
export interface Range {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** One text replacement; an empty range is an insertion. */
export interface TextEdit extends Range {
  newText: string;
}

/** The placeholder that a Fix with `needsInput: 'tag'` carries in its newText, for the editor to replace with what the user types. */
export const TAG_PLACEHOLDER = '${tag}';

/** A quick fix as plain data: apply every edit (ranges refer to the text that was linted, none overlap). */
export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The edits contain TAG_PLACEHOLDER; ask the user for an image tag and substitute it first. */
  needsInput?: 'tag';
}

export interface Finding extends Range {
  file: string;
  severity: Severity;
  rule: RuleId;
  message: string;
  fix?: Fix;
}

export interface LintOptions {
  /**
   * Report `schema` findings (default true). The editor turns this off when Red Hat YAML already
   * validates the file, so users of both never see the same complaint twice; rules stay on.
   */
  schema?: boolean;
  /** Kubernetes minor to check against, e.g. "1.34" (default: the newest bundled). */
  kubernetesVersion?: string;
  /** Report the ML rules (default true). */
  rules?: boolean;
  /**
   * Stop starting new documents after this many milliseconds and report the file as too complex
   * (the editor's budget; a stuck document is stopped by terminating the lint worker instead).
   */
  budgetMs?: number;
  /** Nodes that alias expansion may add to one document before it is treated as an attack (default 100,000). */
  maxAliasNodes?: number;
}

/** Versions pinned in the project's dependencies (exact versions, e.g. "2.3.1"). */
export interface ProjectPins {
  pytorch?: string;
  tensorflow?: string;
}

/** The CUDA compatibility table, implemented in core/cuda; the linter only asks it questions. */
export interface CudaCompat {
  /** The CUDA "major.minor" of a base image reference, or null when it has none / is unknown. */
  cudaOfImage(image: string): string | null;
  /** CUDA "major.minor" versions the framework release was built for, or null when unknown. */
  cudaVersionsFor(framework: 'pytorch' | 'tensorflow', version: string): string[] | null;
}

export interface DockerfileContext {
  pins?: ProjectPins;
  cuda?: CudaCompat;
}
