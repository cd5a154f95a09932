// The reducer's services backed by the real core: detection defaults, the CUDA table and
// planScaffold. No vscode import (settings arrive as values), so it runs under plain Node too.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compatibleCudaChoices } from '../../core/cuda/index';
import type { DetectionResult } from '../../core/detect/types';
import type { OnnxIoResult } from '../../core/scaffold/onnx';
import { modelIoChoices, readOnnxModelIoFile } from '../../core/scaffold/onnxFile';
import { planScaffold } from '../../core/scaffold/plan';
import { dnsName, projectFacts } from '../../core/scaffold/project';
import { dirTemplateSource, overlayTemplateSource, type TemplateSource } from '../../core/scaffold/templates';
import type { CudaOption, WizardChoices } from '../../../webview/protocol';
import type { WizardServices } from './handlers';
import { fromScaffoldChoices, toScaffoldChoices } from './view';

export interface ServiceOptions {
  /** Project folder (absolute). */
  root: string;
  /** The extension's built-in templates folder. */
  templatesDir: string;
  defaultTarget: 'auto' | 'cpu' | 'gpu';
  port: number;
  /** Text of an open (possibly unsaved) document, which writePlan compares against too. */
  openDocument?: (rel: string) => string | undefined;
}

/** Built-in templates overlaid by the project's `.modeldock/templates/`, as the command does. */
export function templateSource(root: string, templatesDir: string): TemplateSource {
  const builtIn = dirTemplateSource(templatesDir);
  const override = path.join(root, '.modeldock', 'templates');
  return fs.existsSync(override) ? overlayTemplateSource(dirTemplateSource(override), builtIn) : builtIn;
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

export function createServices(o: ServiceOptions): WizardServices {
  const readOnnx = cachedOnnxReader();
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
    defaults(detection: DetectionResult | null): WizardChoices {
      const projectName = detection ? projectFacts(detection).projectName : dnsName(path.basename(o.root));
      return fromScaffoldChoices({ target: o.defaultTarget, port: o.port }, detection, projectName);
    },
    cudaOptions(detection: DetectionResult): CudaOption[] {
      const facts = projectFacts(detection);
      if (facts.gpuFramework === null) return [];
      return compatibleCudaChoices(facts.gpuFramework, facts.gpuFrameworkVersion).map((c) => ({
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
      return planScaffold(detection, { ...toScaffoldChoices(choices), ...modelIo }, readExisting, templateSource(o.root, o.templatesDir));
    },
    readExisting,
  };
}
