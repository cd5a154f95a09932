// Plain data shared by the LLM readers, the sizing model and the runtime facts.

/** Weight quantization as declared by config.json (`quantization_config`) or seen in the tensors. */
export interface QuantizationInfo {
  /** awq, gptq, fp8, bitsandbytes, compressed-tensors, modelopt, gguf, … (lower case, as declared). */
  method: string;
  /** Bits per quantized weight (4 for AWQ/GPTQ int4 and NF4, 8 for FP8/int8), when known. */
  bits: number | null;
  /** Group size of the scales (AWQ/GPTQ), when declared. */
  groupSize: number | null;
  /** What this was read from: `config.json`, `tensor names`, `GGUF file type`. */
  source: string;
}

export interface MoeInfo {
  numExperts: number;
  expertsPerToken: number;
  /** Per-expert FFN width (moe_intermediate_size, else intermediate_size). */
  expertIntermediateSize: number;
}

/** Multi-head latent attention (DeepSeek V2/V3): vLLM caches one latent per token and layer. */
export interface MlaInfo {
  kvLoraRank: number;
  qkRopeHeadDim: number;
}

/** What sizing needs from a model's architecture, from config.json or GGUF metadata. */
export interface ModelArchitecture {
  source: 'config.json' | 'gguf';
  modelType: string | null;
  architectures: string[];
  numLayers: number;
  hiddenSize: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  intermediateSize: number | null;
  vocabSize: number | null;
  /** Longest context the model supports as the runtime derives it (rope scaling applied), or null. */
  maxPositionEmbeddings: number | null;
  tieWordEmbeddings: boolean;
  /** torch_dtype / dtype, lower case (bfloat16, float16, float32), or null. */
  dtype: string | null;
  moe: MoeInfo | null;
  mla: MlaInfo | null;
  /** Sliding-window size when the config declares one (not modelled: KV is sized as full attention). */
  slidingWindow: number | null;
  quantization: QuantizationInfo | null;
  /** Features the KV model does not cover (hybrid Mamba/linear-attention layers, …). */
  unmodelled: string[];
}

export interface DtypeTotal {
  dtype: string;
  tensors: number;
  /** Logical parameters (packed 4-bit words count as their unpacked weights; scales count as 0). */
  parameters: number;
  bytes: number;
}

export interface WeightFile {
  /** As given to the reader (relative to the model folder for folders). */
  file: string;
  headerBytes: number;
  dataBytes: number;
  /** On-disk size, when known. */
  fileBytes: number | null;
  /** True when the declared data extends past the end of the file (partial download or header-only file). */
  truncated: boolean;
}

/** Parameter count and bytes of a model's weights, read from headers only. */
export interface WeightsSummary {
  format: 'safetensors' | 'gguf';
  tensorCount: number;
  parameters: number;
  /** Bytes the tensors occupy (what the runtime loads onto GPUs). */
  bytes: number;
  byDtype: DtypeTotal[];
  /** Parameters and bytes of the tensors a weight-only quantization would shrink (2-D linear layers). */
  linearParameters: number;
  linearBytes: number;
  quantization: QuantizationInfo | null;
  files: WeightFile[];
  warnings: string[];
}

/** Everything known about one model: its weights and its architecture. */
export interface ModelFacts {
  name: string;
  weights: WeightsSummary | null;
  architecture: ModelArchitecture | null;
  warnings: string[];
}
