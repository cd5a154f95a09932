// LLM support in core: read model weights' headers (safetensors, GGUF) and config.json, size the
// GPUs a runtime needs, and describe the runtimes (vLLM, SGLang, TGI, llama.cpp) as data.
export * from './types';
export { bufferByteSource, type ByteSource, type Parsed } from './bytes';
export * from './safetensors';
export * from './gguf';
export * from './config';
export * from './gpus';
export * from './runtimes';
export * from './sizing';
export * from './detect';
export * from './files';
