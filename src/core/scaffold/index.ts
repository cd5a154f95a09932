// Public API of the scaffold: plan files from a detection report and user choices.
export { planScaffold, suggestedRuntimes, runtimeOptions, type RuntimeOption, type ExistingFile } from './plan';
export { parseOnnxModelIo, readOnnxModelIo, bytesSource, tritonDataType, ONNX_MAX_BYTES, type ByteSource, type ModelIo, type OnnxIoResult, type OnnxLimits } from './onnx';
export { modelIoChoices, readOnnxModelIoFile, onnxArtifact, fileByteSource, type ModelIoChoices } from './onnxFile';
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
  workspaceTemplateSource,
  WORKSPACE_TEMPLATES_DIR,
  type WorkspaceTemplateOptions,
} from './templates';
export { UnsafeValueError } from './escape';
export { renderYaml } from './yamlRender';
export * from './types';
export { planLlm, AUTO_GPUS, validHubId, chooseSizing, type SizingChoice } from './llm';
export { suggestedLlmRuntimes, defaultRuntime, llmRuntimeOptions } from './llmOptions';
export { readLlmModel, cachedLlmReader, llmModelChoices, servedModel } from './llmFile';
export { isLlmRuntime, llmRuntimeId, DEFAULT_LLM_CHOICES, type LlmModelRead, type LlmGpuCandidate } from './llmTypes';
export { llmSmokeRequest, judgeLlmSmoke, type LlmSmokeRequest, type LlmSmokeVerdict } from './llmSmoke';
