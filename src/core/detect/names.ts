import type { FrameworkName } from './types';

const DISPLAY: Record<FrameworkName, string> = {
  pytorch: 'PyTorch',
  tensorflow: 'TensorFlow',
  keras: 'Keras',
  jax: 'JAX',
  'scikit-learn': 'scikit-learn',
  xgboost: 'XGBoost',
  lightgbm: 'LightGBM',
  catboost: 'CatBoost',
  onnxruntime: 'ONNX Runtime',
  transformers: 'Transformers',
  diffusers: 'Diffusers',
  vllm: 'vLLM',
  'sentence-transformers': 'Sentence Transformers',
};

/** How a person writes the framework's name (status bar, wizard, messages). */
export function displayName(framework: string): string {
  return (DISPLAY as Record<string, string>)[framework] ?? framework;
}
