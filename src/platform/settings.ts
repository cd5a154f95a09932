import type * as vscode from 'vscode';

// One typed config for every `modeldock.*` setting: its default, how a value read from a
// (hand-edited, possibly hostile) settings file is checked, and whether only the user's own
// settings count. package.json declares the same keys; a unit test keeps the two equal.

interface Spec<T> {
  readonly default: T;
  /** The value when it is acceptable, else undefined (the default is used). */
  parse(v: unknown): T | undefined;
  /**
   * Read only from user/machine settings (never a workspace's `.vscode/settings.json`, trusted or
   * not): settings that choose files to read or credentials to use.
   */
  readonly userOnly?: true;
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined);
const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const oneOf =
  <T extends string>(...values: T[]) =>
  (v: unknown) =>
    typeof v === 'string' && (values as string[]).includes(v) ? (v as T) : undefined;
const strings = (v: unknown): readonly string[] | undefined => {
  if (typeof v === 'string') return v.trim() ? [v.trim()] : [];
  if (!Array.isArray(v)) return undefined;
  return v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
};
const stringMap = (v: unknown): Readonly<Record<string, string>> | undefined => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
};
const gpus = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? String(v) : typeof v === 'string' ? v : undefined);

/** GPU types an LLM is sized for (core/llm/gpus.ts GPU_CATALOG ids; a test keeps the two equal). */
export const LLM_GPU_IDS = ['t4', 'a10g', 'a10', 'l4', 'rtx4090', 'l40s', 'a100-40gb', 'a100-80gb', 'h100-pcie', 'h100-80gb', 'h200', 'b200'] as const;
export type LlmGpuSetting = 'auto' | (typeof LLM_GPU_IDS)[number];

function spec<T>(d: T, parse: (v: unknown) => T | undefined, userOnly?: true): Spec<T> {
  return userOnly ? { default: d, parse, userOnly } : { default: d, parse };
}

export const SETTINGS = {
  'detect.fileBudget': spec(20000, int(100, 1_000_000)),
  'detect.maxFileSizeKB': spec(1024, int(16, 16384), true),
  'scaffold.defaultTarget': spec<'auto' | 'cpu' | 'gpu'>('auto', oneOf('auto', 'cpu', 'gpu')),
  'scaffold.port': spec(8080, int(1, 65535)),
  'llm.gpu': spec<LlmGpuSetting>('auto', oneOf<LlmGpuSetting>('auto', ...LLM_GPU_IDS)),
  'llm.contextLength': spec(8192, int(16, 10_000_000)),
  'llm.concurrency': spec(4, int(1, 4096)),
  'containerize.ui': spec<'wizard' | 'quickPick'>('wizard', oneOf('wizard', 'quickPick')),
  'lint.enable': spec(true, bool),
  'lint.schema': spec(true, bool),
  'lint.deferSchemaToRedHatYaml': spec(true, bool),
  'lint.timeBudgetMs': spec(3000, int(200, 60000)),
  'lint.kubernetesVersion': spec<string>('newest', (v) => (typeof v === 'string' && (v === 'newest' || /^1\.\d{2}$/.test(v)) ? v : undefined)),
  'kube.kubeconfig': spec<readonly string[]>([], strings, true),
  'kube.favoriteNamespaces': spec<readonly string[]>([], strings),
  'kube.writeCurrentContext': spec(false, bool, true),
  'kube.logs.tailLines': spec(500, int(0)),
  'kube.logs.timestamps': spec(false, bool),
  'docker.host': spec('', str, true),
  'docker.builder': spec<'auto' | 'buildkit' | 'classic'>('auto', oneOf('auto', 'buildkit', 'classic')),
  'docker.imageTag': spec('', str),
  'docker.contextWarnMB': spec(500, int(1)),
  'docker.gpus': spec('none', gpus),
  'docker.shmSizeMB': spec(0, int(0)),
  'docker.ipcHost': spec(false, bool),
  'docker.hostPort': spec(0, int(0, 65535)),
  'docker.modelFolder': spec('', str),
  'docker.mountHuggingFaceCache': spec(false, bool),
  'docker.pipIndexUrl': spec('', str),
  'docker.pipExtraIndexUrl': spec('', str),
  'docker.pipTrustedHost': spec('', str),
  'docker.env': spec<Readonly<Record<string, string>>>({}, stringMap),
} as const;

type Settings = typeof SETTINGS;
export type SettingKey = keyof Settings;
export type ModelDockConfig = { [K in SettingKey]: Settings[K]['default'] };

/** The defaults of every setting (tests and the CLI read them too). */
export const CONFIG_DEFAULTS = Object.fromEntries(Object.entries(SETTINGS).map(([k, s]) => [k, s.default])) as ModelDockConfig;

/** What a VS Code configuration offers that the reader needs (tests hand in their own). */
export type ConfigurationSource = Pick<vscode.WorkspaceConfiguration, 'get' | 'inspect'>;

/** A setting's value from `cfg` (the `modeldock` section): checked, defaulted, user-only where declared. */
export function readSetting<K extends SettingKey>(cfg: ConfigurationSource, key: K): ModelDockConfig[K] {
  const s = SETTINGS[key] as Spec<ModelDockConfig[K]>;
  let raw: unknown;
  if (s.userOnly) {
    const i = cfg.inspect<unknown>(key);
    raw = i?.globalValue !== undefined ? i.globalValue : i?.defaultValue;
  } else {
    raw = cfg.get<unknown>(key);
  }
  const v = s.parse(raw);
  return v === undefined ? s.default : v;
}
