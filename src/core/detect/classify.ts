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
  | 'notebook'
  | 'cog'
  | 'bentofile'
  | 'truss';

// Maps, not object literals: a file (or package) named `constructor` must not find a prototype member.
const EXACT = new Map<string, FileRole>([
  ['pyproject.toml', 'pyproject'],
  ['setup.cfg', 'setup.cfg'],
  ['Pipfile', 'pipfile'],
  ['Pipfile.lock', 'pipfile.lock'],
  ['poetry.lock', 'poetry.lock'],
  ['uv.lock', 'uv.lock'],
  ['.python-version', 'python-version'],
]);

const REQUIREMENTS_RE = /^(?:[\w.-]*[-_.])?requirements(?:[-_.][\w.-]*)?\.(?:txt|in)$/i;
const CONDA_RE = /^(?:environment|conda|conda-env)(?:[-_.][\w.-]*)?\.ya?ml$/i;

/** Runs once per walked file: dispatch on the extension before any regex. */
export function classifyFile(name: string, parentName: string): FileRole | undefined {
  const dot = name.lastIndexOf('.');
  const ext = dot >= 0 ? name.slice(dot + 1) : '';
  switch (ext) {
    case 'py':
      return name === 'setup.py' ? 'setup.py' : 'python';
    case 'ipynb':
      return 'notebook';
    case 'txt':
    case 'in':
      if (name === 'runtime.txt') return 'runtime.txt';
      // requirements/base.txt, requirements/gpu.txt...
      return REQUIREMENTS_RE.test(name) || parentName === 'requirements' ? 'requirements' : undefined;
    case 'yml':
    case 'yaml':
      if (CONDA_RE.test(name)) return 'conda';
      // Serving tools' configs. `config.yaml` is read as a Truss config only where one can be
      // (the walk narrows it further); the parser checks for Truss keys before anything else.
      return name === 'cog.yaml' ? 'cog' : name === 'bentofile.yaml' || name === 'bentofile.yml' ? 'bentofile' : name === 'config.yaml' ? 'truss' : undefined;
    default:
      return EXACT.get(name);
  }
}

export function isSourceRole(role: FileRole): boolean {
  return role === 'python' || role === 'notebook';
}

const ARTIFACT_EXT = new Map<string, ArtifactFormat>([
  ['pt', 'pytorch'],
  ['pth', 'pytorch'],
  ['safetensors', 'safetensors'],
  ['onnx', 'onnx'],
  ['h5', 'keras'],
  ['hdf5', 'keras'],
  ['keras', 'keras'],
  ['joblib', 'joblib'],
  ['pkl', 'pickle'],
  ['pickle', 'pickle'],
  ['gguf', 'gguf'],
  ['mar', 'torchserve-mar'],
]);

// Runs once per walked file: most names are not artifacts, so no lower-cased copy is made unless
// the extension has a capital letter.
const UPPER = /[A-Z]/;

export function artifactFormat(name: string): ArtifactFormat | undefined {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || name.length - dot > 12) return undefined;
  const ext = name.slice(dot + 1);
  return ARTIFACT_EXT.get(ext) ?? (UPPER.test(ext) ? ARTIFACT_EXT.get(ext.toLowerCase()) : undefined);
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
