// The wizard's host-side logic as one pure reducer: (state, message, services) → new state, the
// messages to post to the webview, and the effects for the panel to run (open a file, write the
// plan…). Everything that touches VS Code lives in panel.ts; this file is unit-tested under Node.
import type { DetectionResult } from '../../core/detect/types';
import type { PlannedFile, ScaffoldPlan } from '../../core/scaffold/types';
import type {
  Capabilities,
  CudaOption,
  HostToWebview,
  Invalid,
  PersistedState,
  WebviewToHost,
  WizardChoices,
  WriteOutcomeView,
} from '../../../webview/protocol';
import { allowedRuntimes, applyChoices, gpuArchOptions, resultingGpuArch } from '../containerize/choices';
import type { Planner } from '../containerize/planner';
import { detectionView, planView } from './view';

export interface WizardState {
  folder: { uri: string; name: string };
  /** null until detection has run for the folder. */
  detection: DetectionResult | null;
  choices: WizardChoices;
  /** The user (or restored state) set choices: a new detection keeps them instead of defaults. */
  chosen: boolean;
  cudaOptions: CudaOption[];
  plan: ScaffoldPlan | null;
  planError: string | null;
  invalid: Invalid;
  capabilities: Capabilities;
  /** A write is in flight: a second Generate is refused rather than queued. */
  writing: boolean;
}

/** Everything the reducer needs from outside: the Containerize planner both front-ends share. */
export type WizardServices = Planner;

export type Continuation = 'none' | 'build';

export type Effect =
  | { kind: 'openFile'; file: string; line: number | null }
  | { kind: 'openDiff'; path: string; content: string }
  /** `unverified`: why the plan is UNVERIFIED; the panel asks before writing it (every time). */
  | { kind: 'write'; files: PlannedFile[]; policy: 'ask' | 'overwrite'; then: Continuation; unverified: string | null }
  | { kind: 'build'; plan: ScaffoldPlan }
  | { kind: 'detect' };

/** Events the panel feeds back into the reducer (results of effects, outside changes). */
export type HostEvent =
  | { type: 'detected'; detection: DetectionResult | null }
  | { type: 'written'; outcome: WriteOutcomeView; then: Continuation }
  | { type: 'writeFailed'; message: string; cancelled: boolean }
  | { type: 'capabilities'; capabilities: Capabilities }
  | { type: 'filesChanged' };

export interface Step {
  state: WizardState;
  replies: HostToWebview[];
  effects: Effect[];
}

function replan(state: WizardState, services: WizardServices): WizardState {
  if (!state.detection) return { ...state, plan: null, planError: null, cudaOptions: [] };
  // Model servers bring their CUDA with their image: the CUDA list is the Python image's choice.
  const cudaOptions = state.choices.target === 'gpu' && state.choices.runtime === 'python' ? services.cudaOptions(state.detection, state.choices.gpuArch) : [];
  try {
    return { ...state, cudaOptions, plan: services.plan(state.detection, state.choices), planError: null };
  } catch (err) {
    return { ...state, cudaOptions, plan: null, planError: err instanceof Error ? err.message : String(err) };
  }
}

function view(state: WizardState, services: WizardServices) {
  if (!state.plan) {
    return state.planError
      ? { target: state.choices.target, runtime: state.choices.runtime, baseImage: null, cuda: null, image: '', ports: [], todos: [], notes: [], errors: [state.planError], unverified: null, files: [] }
      : null;
  }
  return planView(state.plan, services.readExisting);
}

export function initMessage(state: WizardState, services: WizardServices): HostToWebview {
  return {
    type: 'init',
    folder: state.folder,
    detection: state.detection ? detectionView(state.detection) : null,
    choices: state.choices,
    cudaOptions: state.cudaOptions,
    gpuArchs: gpuArchOptions(),
    plan: view(state, services),
    invalid: state.invalid,
    capabilities: state.capabilities,
  };
}

function planMessage(state: WizardState, services: WizardServices): HostToWebview {
  return { type: 'plan', choices: state.choices, cudaOptions: state.cudaOptions, plan: view(state, services), invalid: state.invalid };
}

/** The first state of a panel; `restored` comes from the webview's persisted state after a reload. */
export function initialState(
  folder: { uri: string; name: string },
  detection: DetectionResult | null,
  restored: PersistedState | null,
  capabilities: Capabilities,
  services: WizardServices,
): WizardState {
  const usable = restored && restored.folder === folder.uri ? restored.choices : null;
  let state: WizardState = {
    folder,
    detection,
    choices: usable ?? services.defaults(detection),
    chosen: usable !== null,
    cudaOptions: [],
    plan: null,
    planError: null,
    invalid: {},
    capabilities,
    writing: false,
  };
  if (detection && usable) {
    // Restored choices are re-validated: the project may have changed while VS Code was closed.
    const options = usable.target === 'gpu' ? services.cudaOptions(detection, resultingGpuArch(usable, {})) : [];
    state = { ...state, choices: applyChoices(usable, {}, options, allowedRuntimes(detection)).choices };
  }
  return replan(state, services);
}

/** Rejects paths that would leave the project folder (the webview is not trusted with paths). */
export function safeRelative(file: string): string | null {
  const p = file.replace(/\\/g, '/');
  if (p === '' || p.startsWith('/') || /^[a-zA-Z]:/.test(p) || p.split('/').some((s) => s === '..')) return null;
  return p;
}

function error(state: WizardState, message: string): Step {
  return { state, replies: [{ type: 'error', message }], effects: [] };
}

function writeStep(state: WizardState, then: Continuation): Step {
  if (state.writing) return error(state, 'Files are being written already.');
  if (!state.plan) return error(state, state.detection ? 'There is no plan to write (see the errors above).' : 'Detection has not finished yet.');
  if (state.plan.errors.length > 0) return error(state, `Nothing written: ${state.plan.errors.join(' ')}`);
  // `skip` marks the user's own code (e.g. serve.py) that the scaffold never replaces.
  const files = state.plan.files.filter((f) => f.action !== 'skip');
  if (files.length === 0) return error(state, 'No output is selected.');
  return {
    state: { ...state, writing: true },
    replies: [{ type: 'busy', busy: true, label: then === 'build' ? 'Writing files, then building…' : 'Writing files…' }],
    effects: [{ kind: 'write', files, policy: state.choices.overwrite ? 'overwrite' : 'ask', then, unverified: state.plan.unverified ?? null }],
  };
}

export function handleMessage(state: WizardState, msg: WebviewToHost | HostEvent, services: WizardServices): Step {
  switch (msg.type) {
    case 'ready': {
      // The webview (re)loaded: restore its persisted choices when they are for this folder.
      let next = state;
      if (msg.state && msg.state.folder === state.folder.uri && msg.state.choices) {
        const options = state.detection && msg.state.choices.target === 'gpu' ? services.cudaOptions(state.detection, resultingGpuArch(msg.state.choices, {})) : [];
        next = replan({ ...state, choices: applyChoices(msg.state.choices, {}, options, allowedRuntimes(state.detection)).choices, chosen: true, invalid: {} }, services);
      }
      return { state: next, replies: [initMessage(next, services)], effects: next.detection ? [] : [{ kind: 'detect' }] };
    }
    case 'choose': {
      // Options depend on the target the patch may switch to, so compute them for the result.
      const target = msg.choices.target ?? state.choices.target;
      const options = state.detection && target === 'gpu' ? services.cudaOptions(state.detection, resultingGpuArch(state.choices, msg.choices)) : [];
      const { choices, invalid } = applyChoices(state.choices, msg.choices, options, allowedRuntimes(state.detection));
      const next = replan({ ...state, choices, invalid, chosen: true }, services);
      return { state: next, replies: [planMessage(next, services)], effects: [] };
    }
    case 'openFile': {
      const file = safeRelative(msg.file);
      if (!file) return error(state, `Refusing to open ${msg.file}: not inside the project.`);
      return { state, replies: [], effects: [{ kind: 'openFile', file, line: msg.line }] };
    }
    case 'openDiff': {
      const f = state.plan?.files.find((x) => x.path === msg.path);
      if (!f) return error(state, `${msg.path} is not part of the plan.`);
      return { state, replies: [], effects: [{ kind: 'openDiff', path: f.path, content: f.content }] };
    }
    case 'generate':
      return writeStep(state, 'none');
    case 'buildAndRun':
      if (!state.capabilities.buildAndRun) return error(state, 'Build & Run needs the Docker commands of ModelDock, which are not available.');
      return writeStep(state, 'build');
    case 'redetect':
      return { state, replies: [{ type: 'busy', busy: true, label: 'Detecting…' }], effects: [{ kind: 'detect' }] };
    case 'detected': {
      const detection = msg.detection;
      let choices = state.chosen ? state.choices : services.defaults(detection);
      if (detection && choices.target === 'gpu') choices = applyChoices(choices, {}, services.cudaOptions(detection, choices.gpuArch)).choices;
      if (detection) choices = { ...choices, runtime: applyChoices(choices, {}, [], allowedRuntimes(detection)).choices.runtime };
      const next = replan({ ...state, detection, choices }, services);
      return { state: next, replies: [initMessage(next, services), { type: 'busy', busy: false, label: '' }], effects: [] };
    }
    case 'written': {
      // Disk changed: actions (create → unchanged) and diffs are recomputed against it.
      const next = replan({ ...state, writing: false }, services);
      const effects: Effect[] = [];
      // The whole plan goes to Build & Run: its tag, ports, GPUs, shm and env, as chosen.
      if (msg.then === 'build' && next.plan?.container.dockerfile) effects.push({ kind: 'build', plan: next.plan });
      return {
        state: next,
        replies: [{ type: 'generated', outcome: msg.outcome, plan: view(next, services) }, { type: 'busy', busy: false, label: '' }],
        effects,
      };
    }
    case 'writeFailed': {
      const next = { ...state, writing: false };
      const replies: HostToWebview[] = [{ type: 'busy', busy: false, label: '' }];
      if (!msg.cancelled) replies.push({ type: 'error', message: msg.message });
      return { state: next, replies, effects: [] };
    }
    case 'capabilities': {
      const next = { ...state, capabilities: msg.capabilities };
      return { state: next, replies: [initMessage(next, services)], effects: [] };
    }
    case 'filesChanged': {
      const next = replan(state, services);
      return { state: next, replies: [planMessage(next, services)], effects: [] };
    }
  }
}
