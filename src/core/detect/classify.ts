// Which file names matter, decided from the name alone (no stat, no read): this is what keeps
// the walk close to a plain listing.
import type { ArtifactFormat } from './types';

export type FileRole =
  | 'requirements'
  | 'pyproject'
  | 'setup.cfg'
  | 'setup.py'
  | 'pipfile'
  | 'pipfile.lock'
  | 'poetry.lock'
  | 'uv.lock'
  | 'conda'
  | 'python-version'
  | 'runtime.txt'
  | 'python'
  | 'notebook';

const EXACT: Record<string, FileRole> = {
  'pyproject.toml': 'pyproject',
  'setup.cfg': 'setup.cfg',
  'setup.py': 'setup.py',
  Pipfile: 'pipfile',
  'Pipfile.lock': 'pipfile.lock',
  'poetry.lock': 'poetry.lock',
  'uv.lock': 'uv.lock',
  '.python-version': 'python-version',
  'runtime.txt': 'runtime.txt',
};

const REQUIREMENTS_RE = /^(?:[\w.-]*[-_.])?requirements(?:[-_.][\w.-]*)?\.(?:txt|in)$/i;
const CONDA_RE = /^(?:environment|conda|conda-env|env)(?:[-_.][\w.-]*)?\.ya?ml$/i;

export function classifyFile(name: string, parentName: string): FileRole | undefined {
  const exact = EXACT[name];
  if (exact) return exact;
  if (name.endsWith('.py')) return 'python';
  if (name.endsWith('.ipynb')) return 'notebook';
  if (REQUIREMENTS_RE.test(name)) return 'requirements';
  // requirements/base.txt, requirements/gpu.txt...
  if (parentName === 'requirements' && /\.(?:txt|in)$/i.test(name)) return 'requirements';
  if (CONDA_RE.test(name) && !/^env\.ya?ml$/i.test(name)) return 'conda';
  return undefined;
}

export function isSourceRole(role: FileRole): boolean {
  return role === 'python' || role === 'notebook';
}

const ARTIFACT_EXT: Record<string, ArtifactFormat> = {
  pt: 'pytorch',
  pth: 'pytorch',
  safetensors: 'safetensors',
  onnx: 'onnx',
  h5: 'keras',
  hdf5: 'keras',
  keras: 'keras',
  joblib: 'joblib',
  pkl: 'pickle',
  pickle: 'pickle',
  gguf: 'gguf',
  mar: 'torchserve-mar',
};

export function artifactFormat(name: string): ArtifactFormat | undefined {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return ARTIFACT_EXT[name.slice(dot + 1).toLowerCase()];
}

/** Weights a Hugging Face model folder holds next to its config.json. */
export function isHfWeights(name: string): boolean {
  return /^(?:model|pytorch_model|tf_model|flax_model)(?:-\d{5}-of-\d{5})?\.(?:safetensors|bin|h5|msgpack)$/.test(name) || /^(?:model|pytorch_model)\.(?:safetensors|bin)\.index\.json$/.test(name);
}

/** Folders never worth entering: VCS data, dependency trees, caches, virtualenvs by name. */
export const SKIP_DIRS = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  '.venv',
  'venv',
  '__pycache__',
  'site-packages',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.tox',
  '.nox',
  '.ipynb_checkpoints',
]);
