// The page's view state and the actions its views may call: the types app.ts and views/* share,
// in a module of their own so the views never import the app.
import type { Capabilities, ChoicePatch, CudaOption, DetectionView, GpuArchOption, Invalid, PlanView, WizardChoices, WriteOutcomeView } from './protocol';

/** Text fields keep the user's text even while it is invalid (the host keeps the last valid value). */
export interface Drafts {
  port: string;
  imageName: string;
  gpuCount: string;
  contextLength: string;
  concurrency: string;
  modelId: string;
}

export interface ViewState {
  folder: { uri: string; name: string } | null;
  detection: DetectionView | null;
  choices: WizardChoices | null;
  drafts: Drafts;
  cudaOptions: CudaOption[];
  /** GPU-target choices (sent by the host with `init`). */
  gpuArchs: GpuArchOption[];
  plan: PlanView | null;
  invalid: Invalid;
  capabilities: Capabilities;
  busy: string | null;
  error: string | null;
  result: WriteOutcomeView | null;
  /** Preview entries the user expanded. */
  open: Set<string>;
  /** Per existing file: show the diff (default) or the new content. */
  showNew: Set<string>;
}

export interface Actions {
  choose(patch: ChoicePatch): void;
  draft(field: keyof Drafts, text: string): void;
  openFile(file: string, line: number | null): void;
  openDiff(path: string): void;
  toggle(path: string, open: boolean): void;
  showNew(path: string, on: boolean): void;
  generate(): void;
  buildAndRun(): void;
  redetect(): void;
}

