// Package and import names → canonical frameworks, and the order that decides `primary`.
import { table } from './facts';
import type { FrameworkName } from './types';

interface PackageMapping {
  framework: FrameworkName;
  /** The distribution whose version is the framework's version (torch, not torchvision). */
  core: boolean;
}

const P = (framework: FrameworkName, core = true): PackageMapping => ({ framework, core });

/** Keys are PEP 503-normalised distribution names. */
export const PACKAGE_FRAMEWORKS = table<PackageMapping>({
  torch: P('pytorch'),
  torchvision: P('pytorch', false),
  torchaudio: P('pytorch', false),
  torchtext: P('pytorch', false),
  'pytorch-lightning': P('pytorch', false),
  lightning: P('pytorch', false),
  torchserve: P('pytorch', false),
  'torch-model-archiver': P('pytorch', false),
  // Libraries that only run on PyTorch: declaring them declares PyTorch.
  ultralytics: P('pytorch', false),
  accelerate: P('pytorch', false),
  peft: P('pytorch', false),
  timm: P('pytorch', false),
  tensorflow: P('tensorflow'),
  'tensorflow-cpu': P('tensorflow'),
  'tensorflow-gpu': P('tensorflow'),
  'tensorflow-intel': P('tensorflow'),
  'tensorflow-macos': P('tensorflow'),
  'tensorflow-aarch64': P('tensorflow'),
  'tf-nightly': P('tensorflow'),
  'tf-nightly-cpu': P('tensorflow'),
  'tf-nightly-gpu': P('tensorflow'),
  'tensorflow-hub': P('tensorflow', false),
  'tensorflow-text': P('tensorflow', false),
  'tensorflow-addons': P('tensorflow', false),
  'tensorflow-serving-api': P('tensorflow', false),
  keras: P('keras'),
  'tf-keras': P('keras'),
  jax: P('jax'),
  jaxlib: P('jax', false),
  flax: P('jax', false),
  'scikit-learn': P('scikit-learn'),
  sklearn: P('scikit-learn'),
  xgboost: P('xgboost'),
  // XGBoost's CPU-only wheel (2.0+): the same `xgboost` module without the CUDA libraries.
  'xgboost-cpu': P('xgboost'),
  lightgbm: P('lightgbm'),
  catboost: P('catboost'),
  onnxruntime: P('onnxruntime'),
  'onnxruntime-gpu': P('onnxruntime'),
  'onnxruntime-directml': P('onnxruntime'),
  'onnxruntime-openvino': P('onnxruntime'),
  'onnxruntime-silicon': P('onnxruntime'),
  transformers: P('transformers'),
  diffusers: P('diffusers'),
  vllm: P('vllm'),
  'sentence-transformers': P('sentence-transformers'),
});

/** Top-level import names. */
export const IMPORT_FRAMEWORKS = table<FrameworkName>({
  torch: 'pytorch',
  torchvision: 'pytorch',
  torchaudio: 'pytorch',
  torchtext: 'pytorch',
  lightning: 'pytorch',
  pytorch_lightning: 'pytorch',
  ultralytics: 'pytorch',
  accelerate: 'pytorch',
  peft: 'pytorch',
  timm: 'pytorch',
  tensorflow: 'tensorflow',
  tensorflow_hub: 'tensorflow',
  tensorflow_text: 'tensorflow',
  keras: 'keras',
  tf_keras: 'keras',
  jax: 'jax',
  jaxlib: 'jax',
  flax: 'jax',
  sklearn: 'scikit-learn',
  xgboost: 'xgboost',
  lightgbm: 'lightgbm',
  catboost: 'catboost',
  onnxruntime: 'onnxruntime',
  transformers: 'transformers',
  diffusers: 'diffusers',
  vllm: 'vllm',
  sentence_transformers: 'sentence-transformers',
});

/**
 * `primary` is the first framework of this list that has evidence: deep-learning runtimes first
 * (what the image must be built around), then inference runtimes and classic ML. The model
 * libraries (transformers & co.) run on a backend and are primary only when no backend shows.
 */
export const PRIMARY_ORDER: readonly FrameworkName[] = [
  'pytorch',
  'tensorflow',
  'jax',
  'keras',
  'onnxruntime',
  'xgboost',
  'lightgbm',
  'catboost',
  'scikit-learn',
  'transformers',
  'sentence-transformers',
  'diffusers',
  'vllm',
];

/**
 * Frameworks whose presence alone means a GPU target. jax is absent on purpose: its default
 * wheel is CPU-only, so it takes a `cuda` extra (a CUDA pin) to count. The model libraries are
 * here because they bring torch (or tensorflow) with them.
 */
export const DEEP_LEARNING: ReadonlySet<FrameworkName> = new Set<FrameworkName>([
  'pytorch',
  'tensorflow',
  'keras',
  'transformers',
  'diffusers',
  'vllm',
  'sentence-transformers',
]);

/**
 * Model libraries that are frameworks of their own in the report but run on PyTorch: their
 * evidence counts for PyTorch too, so a diffusers project is a PyTorch project.
 */
export const RUNS_ON = new Map<FrameworkName, FrameworkName>([
  ['diffusers', 'pytorch'],
  ['vllm', 'pytorch'],
  ['sentence-transformers', 'pytorch'],
]);

/** Distributions that build on torch: a `+cpu`/`+cu121` local version on them selects the build too. */
export const TORCH_FAMILY = new Set(['torch', 'torchvision', 'torchaudio', 'torchtext']);
