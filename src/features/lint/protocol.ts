// Messages between the extension host and the lint worker (dist/lint.js): plain data only.
import type { Finding, ProjectPins } from '../../core/lint/types';

/** A file's text, for CRDs found in the workspace. */
export interface CrdSource {
  file: string;
  text: string;
}

/** How much of a YAML file was re-validated (the rest came from the document cache). */
export interface LintStats {
  documents: number;
  reused: number;
  validated: number;
}

export interface YamlRequest {
  type: 'yaml';
  id: number;
  /** Identifies the document across edits (its URI): the worker keeps its incremental cache under it. */
  key: string;
  file: string;
  text: string;
  schema: boolean;
  /** Soft budget: the linter starts no new document after this many ms. */
  budgetMs: number;
  /** Kubernetes minor to check against (undefined: the newest bundled). */
  kubernetesVersion?: string;
}

export interface DockerfileRequest {
  type: 'dockerfile';
  id: number;
  file: string;
  text: string;
  pins: ProjectPins;
}

/** Drop the cache of a closed document (no reply). */
export interface ForgetRequest {
  type: 'forget';
  key: string;
}

/** The workspace's CustomResourceDefinition files (no reply); replaces the previous set. */
export interface CrdsRequest {
  type: 'crds';
  sources: CrdSource[];
}

export type WorkerRequest = YamlRequest | DockerfileRequest | ForgetRequest | CrdsRequest;

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; findings: Finding[]; stats?: LintStats }
  | { type: 'error'; id: number; message: string };
