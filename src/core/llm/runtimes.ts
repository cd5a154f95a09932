// The four LLM servers ModelDock scaffolds, as data: pinned images with their CUDA and driver
// floors, routes, metrics and the flags sizing fills in. Every fact names where it was read and how
// sure it is: `verified` = read in the project's own repository, docs or release files;
// `secondary` = seen in several public deployments or third-party notes, not in the project's own
// pages; `inferred` = follows from a verified rule (a tag pattern, a toolkit's driver table).
// Checked 2026-10 against stored copies; re-check a tag at its registry before relying on it.

export type LlmRuntimeId = 'vllm' | 'sglang' | 'tgi' | 'llama.cpp';
export type FactConfidence = 'verified' | 'secondary' | 'inferred';

export interface Fact<T> {
  value: T;
  source: string;
  confidence: FactConfidence;
  note?: string;
}

export interface RuntimeImage {
  variant: 'cuda13' | 'cuda12' | 'cpu';
  /** repository:tag */
  image: string;
  /** CUDA toolkit inside the image, null for CPU images. */
  cuda: string | null;
  /** Lowest Linux driver whose CUDA version satisfies the image (nvidia-container-cli checks `cuda>=X.Y`). */
  minDriver: string | null;
  source: string;
  confidence: FactConfidence;
  note?: string;
}

export interface RuntimeFlags {
  model: string;
  tensorParallel: string | null;
  maxModelLen: string;
  gpuMemory: string | null;
  quantization: string | null;
  kvCacheDtype: string | null;
  port: string;
  host: string | null;
  servedModelName: string | null;
}

export interface LlmRuntimeFacts {
  id: LlmRuntimeId;
  name: string;
  /** A warning a user must see (maintenance mode, archived), or null. */
  status: Fact<string> | null;
  weightFormats: ReadonlyArray<'safetensors' | 'gguf'>;
  images: RuntimeImage[];
  /** What the image runs; arguments from servingCommand are appended. Null: the command must be given whole. */
  entrypoint: Fact<string[] | null>;
  defaultPort: Fact<number>;
  healthPath: Fact<string>;
  openaiRoutes: Fact<string[]>;
  metrics: Fact<{ path: string; queueMetric: string; runningMetric: string; enableFlag: string | null }>;
  flags: Fact<RuntimeFlags>;
  shm: Fact<{ dockerArgs: string[]; kubernetesBytes: number }>;
  tensorParallelRule: Fact<string>;
}

const VLLM_DOCS = 'https://docs.vllm.ai/en/stable/deployment/docker/ (docs/getting_started/installation/gpu.cuda.inc.md, pre-built-images)';
const TGI_REPO = 'https://github.com/huggingface/text-generation-inference (git snapshot, tag v3.3.6)';
const SGLANG_DOCS = 'https://docs.sglang.ai/get_started/install.html (docs/get_started/install.md)';
const LLAMACPP_DOCKER = 'https://github.com/ggml-org/llama.cpp/blob/master/docs/docker.md';
const LLAMACPP_SERVER = 'https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md';
const DRIVERS = 'NVIDIA CUDA Toolkit release notes, Table 3 (via /work/shared/reference/cuda-matrix.json driver_min)';

export const LLM_RUNTIMES: Readonly<Record<LlmRuntimeId, LlmRuntimeFacts>> = {
  vllm: {
    id: 'vllm',
    name: "vLLM (OpenAI-compatible server)",
    status: null,
    weightFormats: ['safetensors'],
    images: [
      {
        variant: 'cuda13',
        image: 'vllm/vllm-openai:v0.27.1',
        cuda: '13.0.2',
        minDriver: '580.65.06',
        source:
          'Since v0.20.0 the unsuffixed vllm/vllm-openai tags are CUDA 13.0 (https://github.com/vllm-project/vllm/issues/42738, https://github.com/vast-ai/base-image/pull/158); 13.0.2 inside v0.27.1 per a public deployment audit; driver floor ' +
          DRIVERS,
        confidence: 'secondary',
        note: "CUDA 13 needs an R580 driver; the image's compatibility libraries (VLLM_ENABLE_CUDA_COMPATIBILITY=1) let data-centre GPUs run it on R535/R570 (vLLM GPU install docs).",
      },
      {
        variant: 'cuda12',
        image: 'vllm/vllm-openai:v0.27.1-cu129',
        cuda: '12.9.1',
        minDriver: '575.51.03',
        source: 'The -cu129 suffix marks the CUDA 12.9 build (https://github.com/vast-ai/base-image/pull/158; pinned by digest in several public deployments); driver floor ' + DRIVERS,
        confidence: 'secondary',
      },
    ],
    entrypoint: { value: ['vllm', 'serve'], source: 'vllm docker/Dockerfile (ENTRYPOINT ["vllm", "serve"]); ' + VLLM_DOCS, confidence: 'verified' },
    defaultPort: { value: 8000, source: VLLM_DOCS, confidence: 'verified' },
    healthPath: { value: '/health', source: 'vllm/entrypoints/openai/api_server.py', confidence: 'verified' },
    openaiRoutes: { value: ['/v1/chat/completions', '/v1/completions', '/v1/models', '/v1/embeddings'], source: 'https://docs.vllm.ai/en/stable/serving/openai_compatible_server.html', confidence: 'verified' },
    metrics: {
      value: { path: '/metrics', queueMetric: 'vllm:num_requests_waiting', runningMetric: 'vllm:num_requests_running', enableFlag: null },
      source: 'https://docs.vllm.ai/en/stable/usage/metrics/ ; vllm/v1/metrics/loggers.py (vllm:kv_cache_usage_perc replaces vllm:gpu_cache_usage_perc in V1)',
      confidence: 'verified',
    },
    flags: {
      value: {
        model: '<positional model path>',
        tensorParallel: '--tensor-parallel-size',
        maxModelLen: '--max-model-len',
        gpuMemory: '--gpu-memory-utilization',
        quantization: '--quantization',
        kvCacheDtype: '--kv-cache-dtype',
        port: '--port',
        host: '--host',
        servedModelName: '--served-model-name',
      },
      source: 'https://docs.vllm.ai/en/stable/configuration/engine_args/',
      confidence: 'verified',
    },
    shm: {
      value: { dockerArgs: ['--ipc=host'], kubernetesBytes: 16 * 1024 ** 3 },
      source: VLLM_DOCS + ': "use either --ipc=host or --shm-size … PyTorch uses shared memory … particularly for tensor parallel inference"',
      confidence: 'verified',
      note: 'The 16 GiB /dev/shm size for Kubernetes is an assumption, not a vLLM figure.',
    },
    tensorParallelRule: {
      value:
        'num_attention_heads % TP == 0 (ModelConfig.verify_with_parallel_config); KV heads: KV % TP == 0 when TP < KV, else TP % KV == 0 and each KV head is replicated (QKVParallelLinear); MLP width % TP == 0 (ColumnParallelLinear divide())',
      source: 'vllm/config (verify_with_parallel_config), vllm/model_executor/layers/linear.py',
      confidence: 'verified',
    },
  },
  sglang: {
    id: 'sglang',
    name: 'SGLang',
    status: null,
    weightFormats: ['safetensors'],
    images: [
      {
        variant: 'cuda12',
        image: 'lmsysorg/sglang:v0.5.16',
        cuda: '12.9.1',
        minDriver: '575.51.03',
        source:
          'Release images are built for cu129 (CUDA_VERSION=12.9.1) and cu130 (13.0.1) by .github/workflows/_docker-build-and-publish.yml; v0.5.16 is pinned by digest in public deployments, and a -cu130 twin exists, so the unsuffixed tag is taken to be cu129; driver floor ' +
          DRIVERS,
        confidence: 'inferred',
      },
      {
        variant: 'cuda13',
        image: 'lmsysorg/sglang:v0.5.16-cu130',
        cuda: '13.0.1',
        minDriver: '580.65.06',
        source: '.github/workflows/_docker-build-and-publish.yml (sgl-project/sglang); tag seen in public deployments; driver floor ' + DRIVERS,
        confidence: 'secondary',
      },
    ],
    entrypoint: { value: null, source: SGLANG_DOCS + ' (the docker example runs python3 -m sglang.launch_server)', confidence: 'verified' },
    defaultPort: { value: 30000, source: SGLANG_DOCS, confidence: 'verified' },
    healthPath: { value: '/health', source: 'python/sglang/srt/entrypoints/http_server.py (/health, /health_generate)', confidence: 'secondary' },
    openaiRoutes: { value: ['/v1/chat/completions', '/v1/completions', '/v1/models', '/v1/embeddings'], source: 'https://docs.sglang.ai/basic_usage/openai_api.html', confidence: 'secondary' },
    metrics: {
      value: { path: '/metrics', queueMetric: 'sglang:num_queue_reqs', runningMetric: 'sglang:num_running_reqs', enableFlag: '--enable-metrics' },
      source: 'python/sglang/srt/metrics/collector.py; docs/references/production_metrics.md',
      confidence: 'verified',
    },
    flags: {
      value: {
        model: '--model-path',
        tensorParallel: '--tp-size',
        maxModelLen: '--context-length',
        gpuMemory: '--mem-fraction-static',
        quantization: '--quantization',
        kvCacheDtype: '--kv-cache-dtype',
        port: '--port',
        host: '--host',
        servedModelName: '--served-model-name',
      },
      source: 'python/sglang/srt/server_args.py (--tensor-parallel-size/--tp-size, --context-length, --mem-fraction-static)',
      confidence: 'secondary',
    },
    shm: { value: { dockerArgs: ['--shm-size', '32g', '--ipc=host'], kubernetesBytes: 32 * 1024 ** 3 }, source: SGLANG_DOCS, confidence: 'verified' },
    tensorParallelRule: {
      value: 'as vLLM (SGLang uses the same QKVParallelLinear head split): heads % TP == 0, KV heads split or replicated',
      source: 'python/sglang/srt/layers/linear.py',
      confidence: 'inferred',
    },
  },
  tgi: {
    id: 'tgi',
    name: 'Hugging Face Text Generation Inference',
    status: {
      value: 'TGI is in maintenance mode since 2025-12-11: only minor fixes are accepted and Hugging Face recommends vLLM, SGLang or llama.cpp for new deployments.',
      source: 'README.md at commit 34988476 "Maintenance mode (#3345)", ' + TGI_REPO,
      confidence: 'verified',
    },
    weightFormats: ['safetensors'],
    images: [
      {
        variant: 'cuda12',
        image: 'ghcr.io/huggingface/text-generation-inference:3.3.6',
        cuda: '12.4.0',
        minDriver: '550.54.14',
        source: 'Dockerfile at v3.3.6 (FROM nvidia/cuda:12.4.0-base-ubuntu22.04), ' + TGI_REPO + '; driver floor ' + DRIVERS,
        confidence: 'verified',
        note: 'The 3.3.5 tag was never published to GHCR (issue #3320); 3.3.6 is seen running in public deployments; v3.3.7 (2025-12-18) is tagged in git but its image was not confirmed.',
      },
    ],
    entrypoint: { value: ['/tgi-entrypoint.sh'], source: 'Dockerfile at v3.3.6 (ENTRYPOINT ["/tgi-entrypoint.sh"], which runs text-generation-launcher)', confidence: 'verified' },
    defaultPort: { value: 80, source: 'Dockerfile at v3.3.6 (ENV PORT=80); README docker example -p 8080:80', confidence: 'verified' },
    healthPath: { value: '/health', source: 'router/src/server.rs at v3.3.6', confidence: 'verified' },
    openaiRoutes: { value: ['/v1/chat/completions', '/v1/completions', '/v1/models'], source: 'router/src/server.rs at v3.3.6', confidence: 'verified' },
    metrics: {
      value: { path: '/metrics', queueMetric: 'tgi_queue_size', runningMetric: 'tgi_batch_current_size', enableFlag: null },
      source: 'docs/source/reference/metrics.md at v3.3.6',
      confidence: 'verified',
    },
    flags: {
      value: {
        model: '--model-id',
        tensorParallel: '--num-shard',
        maxModelLen: '--max-total-tokens',
        gpuMemory: '--cuda-memory-fraction',
        quantization: '--quantize',
        kvCacheDtype: '--kv-cache-dtype',
        port: '--port',
        host: '--hostname',
        servedModelName: null,
      },
      source: 'docs/source/reference/launcher.md at v3.3.6',
      confidence: 'verified',
    },
    shm: { value: { dockerArgs: ['--shm-size', '1g'], kubernetesBytes: 1024 ** 3 }, source: 'README "A note on Shared Memory (shm)" at v3.3.6', confidence: 'verified' },
    tensorParallelRule: {
      value: 'num_heads % num_shard == 0 and num_key_value_heads % num_shard == 0 (no KV-head replication)',
      source: 'server/text_generation_server/models/custom_modeling/flash_llama_modeling.py at v3.3.6',
      confidence: 'verified',
    },
  },
  'llama.cpp': {
    id: 'llama.cpp',
    name: 'llama.cpp server (GGUF)',
    status: null,
    weightFormats: ['gguf'],
    images: [
      {
        variant: 'cuda12',
        image: 'ghcr.io/ggml-org/llama.cpp:server-cuda-b11206',
        cuda: '12.8.1',
        minDriver: '570.26',
        source: LLAMACPP_DOCKER + ' (server-cuda = CUDA 12; .devops/cuda.Dockerfile default CUDA_VERSION 12.8.1); build tag pinned by digest in public deployments; driver floor ' + DRIVERS,
        confidence: 'secondary',
      },
      {
        variant: 'cuda13',
        image: 'ghcr.io/ggml-org/llama.cpp:server-cuda13-b11206',
        cuda: '13',
        minDriver: '580.65.06',
        source: LLAMACPP_DOCKER + ' (server-cuda13); build tag seen pinned by digest in public deployments',
        confidence: 'secondary',
        note: 'The exact CUDA 13 minor inside this build was not read.',
      },
      { variant: 'cpu', image: 'ghcr.io/ggml-org/llama.cpp:server-b11206', cuda: null, minDriver: null, source: LLAMACPP_DOCKER + ' (server, tag pattern server-b<build>)', confidence: 'inferred' },
    ],
    entrypoint: { value: ['/app/llama-server'], source: LLAMACPP_DOCKER, confidence: 'verified' },
    defaultPort: { value: 8080, source: LLAMACPP_SERVER, confidence: 'verified' },
    healthPath: { value: '/health', source: LLAMACPP_SERVER + ' (503 while the model loads)', confidence: 'verified' },
    openaiRoutes: { value: ['/v1/chat/completions', '/v1/completions', '/v1/models', '/v1/embeddings'], source: LLAMACPP_SERVER, confidence: 'verified' },
    metrics: {
      value: { path: '/metrics', queueMetric: 'llamacpp:requests_deferred', runningMetric: 'llamacpp:requests_processing', enableFlag: '--metrics' },
      source: LLAMACPP_SERVER,
      confidence: 'verified',
    },
    flags: {
      value: {
        model: '-m',
        tensorParallel: null,
        maxModelLen: '-c',
        gpuMemory: null,
        quantization: null,
        kvCacheDtype: null,
        port: '--port',
        host: '--host',
        servedModelName: '--alias',
      },
      source: LLAMACPP_SERVER,
      confidence: 'verified',
      note: '-c is the context of all slots together: each of the -np slots gets c / np tokens.',
    },
    shm: { value: { dockerArgs: [], kubernetesBytes: 0 }, source: 'llama.cpp is one process; it uses no PyTorch shared-memory tensors', confidence: 'inferred' },
    tensorParallelRule: {
      value: 'no divisibility rule: --split-mode layer (default) spreads whole layers over the GPUs',
      source: LLAMACPP_SERVER + ' (--split-mode, --tensor-split)',
      confidence: 'verified',
    },
  },
};

export interface ServingRecommendation {
  runtime: LlmRuntimeId;
  /** GPU catalog id (gpus.ts). */
  gpuType: string;
  gpuCount: number;
  tensorParallel: number | null;
  maxModelLen: number;
  /** vLLM/TGI: fraction of GPU memory; SGLang: its static fraction (weights + KV only). */
  gpuMemoryUtilization: number | null;
  concurrency: number;
  kvCacheDtype: 'auto' | 'fp8';
  /** On-the-fly quantization to request (fp8), null when the checkpoint's own scheme applies. */
  quantization: string | null;
}

export interface ServingCommand {
  /** Replaces the image's entrypoint when not null (SGLang's image has none). */
  command: string[] | null;
  args: string[];
}

/** The arguments that start `runtime` on `modelPath` (a path inside the container) as recommended. */
export function servingCommand(rec: ServingRecommendation, modelPath: string, opts: { port?: number; servedModelName?: string } = {}): ServingCommand {
  const f = LLM_RUNTIMES[rec.runtime];
  const port = String(opts.port ?? f.defaultPort.value);
  const name = opts.servedModelName;
  switch (rec.runtime) {
    case 'vllm': {
      const a = [modelPath, '--host', '0.0.0.0', '--port', port, '--tensor-parallel-size', String(rec.tensorParallel ?? 1), '--max-model-len', String(rec.maxModelLen)];
      if (rec.gpuMemoryUtilization !== null) a.push('--gpu-memory-utilization', rec.gpuMemoryUtilization.toFixed(2));
      if (rec.kvCacheDtype === 'fp8') a.push('--kv-cache-dtype', 'fp8');
      if (rec.quantization) a.push('--quantization', rec.quantization);
      if (name) a.push('--served-model-name', name);
      return { command: null, args: a };
    }
    case 'sglang': {
      const a = ['python3', '-m', 'sglang.launch_server', '--model-path', modelPath, '--host', '0.0.0.0', '--port', port, '--tp-size', String(rec.tensorParallel ?? 1), '--context-length', String(rec.maxModelLen)];
      if (rec.gpuMemoryUtilization !== null) a.push('--mem-fraction-static', rec.gpuMemoryUtilization.toFixed(2));
      if (rec.kvCacheDtype === 'fp8') a.push('--kv-cache-dtype', 'fp8_e4m3');
      if (rec.quantization) a.push('--quantization', rec.quantization);
      if (name) a.push('--served-model-name', name);
      a.push('--enable-metrics');
      return { command: a, args: [] };
    }
    case 'tgi': {
      // TGI wants max_input_tokens < max_total_tokens; its own default is one less.
      const a = ['--model-id', modelPath, '--port', port, '--num-shard', String(rec.tensorParallel ?? 1), '--max-total-tokens', String(rec.maxModelLen), '--max-input-tokens', String(rec.maxModelLen - 1)];
      if (rec.gpuMemoryUtilization !== null) a.push('--cuda-memory-fraction', rec.gpuMemoryUtilization.toFixed(2));
      if (rec.kvCacheDtype === 'fp8') a.push('--kv-cache-dtype', 'fp8_e4m3fn');
      if (rec.quantization) a.push('--quantize', rec.quantization);
      return { command: null, args: a };
    }
    case 'llama.cpp': {
      const a = ['-m', modelPath, '--host', '0.0.0.0', '--port', port, '-c', String(rec.maxModelLen * rec.concurrency), '-np', String(rec.concurrency), '-ngl', '999', '--metrics'];
      if (name) a.push('--alias', name);
      return { command: null, args: a };
    }
  }
}
