// The one planner behind both Containerize front-ends (the wizard's reducer and the Quick Picks):
// default choices, the CUDA list, planScaffold with one template source, and the existing-file
// reads. No vscode import (settings arrive as values), so it runs under plain Node too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compatibleCudaChoices, type GpuTarget } from '../../core/cuda/index';
import type { DetectionResult } from '../../core/detect/types';
import type { OnnxIoResult } from '../../core/scaffold/onnx';
import { modelIoChoices, readOnnxModelIoFile } from '../../core/scaffold/onnxFile';
import { planScaffold } from '../../core/scaffold/plan';
import { dnsName, gpuFrameworkPin, projectFacts } from '../../core/scaffold/project';
import { realPathInside } from '../../core/safePath';
import type { ScaffoldPlan } from '../../core/scaffold/types';
import { dirTemplateSource, overlayTemplateSource, workspaceTemplateSource, type TemplateSource } from '../../core/scaffold/templates';
import type { CudaOption, LlmWizardChoices } from '../../../webview/protocol';
import { defaultRuntime } from '../../core/scaffold/llmOptions';
import { cachedLlmReader, llmModelChoices } from '../../core/scaffold/llmFile';
import { type ContainerizeChoices, LLM_DEFAULTS, fromScaffoldChoices, toScaffoldChoices } from './choices';

/** Everything a front-end needs to ask and plan; all synchronous and side-effect free except reads. */
export interface Planner {
  /** Default choices for a detection (settings and the scaffold's defaults applied). */
  defaults(detection: DetectionResult | null): ContainerizeChoices;
  /** CUDA versions compatible with the project's GPU framework and the GPU target (the same list in both UIs). */
  cudaOptions(detection: DetectionResult, gpuArch?: GpuTarget): CudaOption[];
  /** planScaffold for these choices. May throw (a broken template): reported, not fatal. */
  plan(detection: DetectionResult, choices: ContainerizeChoices): ScaffoldPlan;
  /** Current text of a file of the folder, or undefined when it does not exist. */
  readExisting(rel: string): string | undefined;
}

export interface PlannerOptions {
  /** Project folder (absolute). */
  root: string;
  /** The extension's built-in templates folder. */
  templatesDir: string;
  /**
   * Read the project's `.modeldock/templates/` overrides. Only in a trusted workspace: a
   * template decides what ends up in a Dockerfile that gets built.
   */
  allowOverrides: boolean;
  /** Told about a workspace template override that exists but is ignored, and why. */
  onIgnoredTemplate?: (name: string, reason: string) => void;
  defaultTarget: 'auto' | 'cpu' | 'gpu';
  port: number;
  /** Text of an open (possibly unsaved) document, which writePlan compares against too. */
  openDocument?: (rel: string) => string | undefined;
  /** What LLM servers are sized for (settings `modeldock.llm.*`); default LLM_DEFAULTS. */
  llm?: Pick<LlmWizardChoices, 'gpu' | 'contextLength' | 'concurrency'>;
}

/**
 * Built-in templates, overlaid by the project's `.modeldock/templates/` when allowed (a trusted
 * workspace): an override is used only when its real path lies inside the project, and each one
 * ignored is reported through `onIgnored`.
 */
export function templateSource(root: string, templatesDir: string, allowOverrides: boolean, onIgnored?: (name: string, reason: string) => void): TemplateSource {
  const builtIn = dirTemplateSource(templatesDir);
  if (!allowOverrides) return builtIn;
  return overlayTemplateSource(workspaceTemplateSource(root, { trusted: true, ...(onIgnored ? { onIgnored } : {}) }), builtIn);
}

/** Project files the plan may rewrite (requirements for a CPU image): only from inside `root`, bounded. */
export function projectFileReader(root: string, maxBytes = 4 * 1024 * 1024): (rel: string) => string | undefined {
  return (rel) => {
    const real = realPathInside(root, path.join(root, ...rel.split('/')));
    if (real === null) return undefined;
    try {
      return fs.statSync(real).size <= maxBytes ? fs.readFileSync(real, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  };
}

/**
 * readOnnxModelIoFile remembered per file version: the wizard re-plans on every keystroke, and the
 * model only changes when its size or mtime does.
 */
export function cachedOnnxReader(read: (file: string) => OnnxIoResult = readOnnxModelIoFile): (file: string) => OnnxIoResult {
  let last: { key: string; result: OnnxIoResult } | null = null;
  return (file) => {
    let key: string;
    try {
      const st = fs.statSync(file);
      key = `${file}\0${st.size}\0${st.mtimeMs}`;
    } catch {
      return read(file);
    }
    if (last?.key !== key) last = { key, result: read(file) };
    return last.result;
  };
}

export function createPlanner(o: PlannerOptions): Planner {
  const readOnnx = cachedOnnxReader();
  // The model's headers are read once per file version, not per keystroke.
  const readLlm = cachedLlmReader();
  const llmDefaults: LlmWizardChoices = { ...LLM_DEFAULTS, ...(o.llm ?? {}) };
  const readSource = projectFileReader(o.root);
  const readExisting = (rel: string): string | undefined => {
    const open = o.openDocument?.(rel);
    if (open !== undefined) return open;
    try {
      // Sync: a handful of small files per re-plan, and the reducer is synchronous by design.
      return fs.readFileSync(path.join(o.root, ...rel.split('/')), 'utf8');
    } catch {
      return undefined;
    }
  };
  return {
    defaults(detection: DetectionResult | null): ContainerizeChoices {
      const projectName = detection ? projectFacts(detection).projectName : dnsName(path.basename(o.root));
      // A project that holds an LLM and no server of its own starts on an LLM server.
      return fromScaffoldChoices({ target: o.defaultTarget, port: o.port, runtime: defaultRuntime(detection) }, detection, projectName, llmDefaults);
    },
    cudaOptions(detection: DetectionResult, gpuArch: GpuTarget = 'any'): CudaOption[] {
      const facts = projectFacts(detection);
      if (facts.gpuFramework === null) return [];
      return compatibleCudaChoices(facts.gpuFramework, gpuFrameworkPin(detection, facts), gpuArch).map((c) => ({
        cuda: c.cuda,
        image: c.image,
        recommended: c.recommended,
        reason: c.reason,
      }));
    },
    plan(detection, choices) {
      // Templates are re-read per plan so edits to an override folder show up immediately.
      // Triton: inputs/outputs from the ONNX model when it reads, else TODO markers and a note saying why.
      const modelIo = choices.runtime === 'triton' ? modelIoChoices(detection, readOnnx) : {};
      const scaffold = toScaffoldChoices(choices);
      // LLM servers: sized from the served model's headers (inside the project only).
      const llm = llmModelChoices(detection, choices.runtime, scaffold.llm, readLlm);
      return planScaffold(detection, { ...scaffold, ...modelIo, ...(llm ? { llm } : {}) }, readExisting, templateSource(o.root, o.templatesDir, o.allowOverrides, o.onIgnoredTemplate), readSource);
    },
    readExisting,
  };
}
