// Public API of the scaffold: plan files from a detection report and user choices.
export { planScaffold, suggestedRuntimes, type ExistingFile } from './plan';
export { kserveFormat } from './project';
export { KSERVE_FILES } from './runtimes';
export { render, parseTemplate, TemplateError, type TemplateContext, type TemplateValue, type PartialLoader } from './render';
export {
  type TemplateSource,
  dirTemplateSource,
  overlayTemplateSource,
  mapTemplateSource,
  nodeTemplateSource,
  findTemplatesDir,
} from './templates';
export * from './types';
