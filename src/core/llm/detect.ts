// LLM evidence from plain data: a project's file listing, the config.json texts the adapter read
// for it, source texts and dependency names. Nothing here touches the disk; the detector (or the
// CLI) lists, reads what configFilesToRead names, and passes the texts in.
import type { Evidence } from '../detect/types';
import { isRecord, parseBoundedJson } from './bytes';
import { CONFIG_MAX_BYTES, quantizationFromConfig } from './config';
import type { LlmRuntimeId } from './runtimes';
import type { QuantizationInfo } from './types';

export interface ListingEntry {
  /** Path relative to the project root, `/` separators. */
  path: string;
  /** File size in bytes, when known. */
  size?: number;
}

export type LlmTask = 'causal-lm' | 'conditional-generation';

export interface HfModelFolder {
  kind: 'huggingface';
  /** Folder relative to the root ('.' for the root itself). */
  folder: string;
  config: string;
  architectures: string[];
  modelType: string | null;
  task: LlmTask;
  quantization: QuantizationInfo | null;
  /** Shard files, relative paths, sorted. */
  shards: string[];
  index: string | null;
  tokenizerFiles: string[];
  /** Sum of the shard sizes when the listing has them. */
  weightBytes: number | null;
  evidence: Evidence[];
}

export interface GgufModelFile {
  kind: 'gguf';
  file: string;
  /** `model` for weights, `projector` for a multimodal projector (mmproj). */
  role: 'model' | 'projector';
  /** 1-based part and count for split files (`-00001-of-00003.gguf`), else null. */
  split: { part: number; count: number } | null;
  bytes: number | null;
  evidence: Evidence[];
}

const TOKENIZER = /^(tokenizer(\.json|\.model|_config\.json)|special_tokens_map\.json|vocab\.json|merges\.txt)$/;
const SPLIT_GGUF = /-(\d{5})-of-(\d{5})\.gguf$/i;
const MAX_CONFIGS = 200;

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : p.slice(0, i);
}

function baseOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/**
 * The config.json files worth reading: those beside safetensors weights, an index or tokenizer
 * files (a lone config.json is usually not a model). Sorted; capped so a hostile tree stays cheap.
 */
export function configFilesToRead(listing: readonly ListingEntry[]): string[] {
  const dirs = new Set<string>();
  const configs = new Set<string>();
  for (const e of listing) {
    const b = baseOf(e.path);
    if (b === 'config.json') configs.add(e.path);
    else if (b.endsWith('.safetensors') || b === 'model.safetensors.index.json' || TOKENIZER.test(b)) dirs.add(dirOf(e.path));
  }
  return [...configs].filter((c) => dirs.has(dirOf(c))).sort().slice(0, MAX_CONFIGS);
}

/** 1-based line of the first occurrence of `needle` in `text`, or undefined. */
function lineOf(text: string, needle: string): number | undefined {
  const i = text.indexOf(needle);
  if (i < 0) return undefined;
  let n = 1;
  for (let j = 0; j < i; j++) if (text.charCodeAt(j) === 10) n++;
  return n;
}

function taskOf(architectures: readonly string[]): LlmTask | null {
  if (architectures.some((a) => a.endsWith('ForCausalLM'))) return 'causal-lm';
  if (architectures.some((a) => a.endsWith('ForConditionalGeneration'))) return 'conditional-generation';
  return null;
}

/**
 * Hugging Face model folders (config.json whose architectures end in ForCausalLM or
 * ForConditionalGeneration) and GGUF files in a listing. `configs` maps a config.json path (as in
 * the listing) to its text; a folder whose config was not read, or names other architectures, is
 * not reported.
 */
export function findModelFolders(listing: readonly ListingEntry[], configs: ReadonlyMap<string, string>): { folders: HfModelFolder[]; gguf: GgufModelFile[] } {
  const byDir = new Map<string, ListingEntry[]>();
  const gguf: GgufModelFile[] = [];
  for (const e of listing) {
    const d = dirOf(e.path);
    const list = byDir.get(d) ?? [];
    list.push(e);
    byDir.set(d, list);
    const b = baseOf(e.path);
    if (/\.gguf$/i.test(b)) {
      const m = SPLIT_GGUF.exec(b);
      const projector = /^mmproj/i.test(b);
      gguf.push({
        kind: 'gguf',
        file: e.path,
        role: projector ? 'projector' : 'model',
        split: m ? { part: Number(m[1]), count: Number(m[2]) } : null,
        bytes: e.size ?? null,
        evidence: [{ file: e.path, reason: projector ? 'GGUF multimodal projector file' : m ? `GGUF model file (part ${Number(m[1])} of ${Number(m[2])})` : 'GGUF model file' }],
      });
    }
  }
  const folders: HfModelFolder[] = [];
  for (const [configPath, text] of [...configs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (baseOf(configPath) !== 'config.json' || text.length > CONFIG_MAX_BYTES) continue;
    let cfg: unknown;
    try {
      cfg = parseBoundedJson(text, { maxBytes: CONFIG_MAX_BYTES, maxDepth: 32 }, 'config.json');
    } catch {
      continue;
    }
    if (!isRecord(cfg)) continue;
    const architectures = Array.isArray(cfg.architectures) ? cfg.architectures.filter((a): a is string => typeof a === 'string').slice(0, 16) : [];
    const task = taskOf(architectures);
    if (!task) continue;
    const dir = dirOf(configPath);
    const entries = byDir.get(dir) ?? [];
    const shards = entries.filter((e) => baseOf(e.path).endsWith('.safetensors')).map((e) => e.path).sort();
    const index = entries.find((e) => baseOf(e.path) === 'model.safetensors.index.json')?.path ?? null;
    const tokenizerFiles = entries.filter((e) => TOKENIZER.test(baseOf(e.path))).map((e) => e.path).sort();
    const sizes = entries.filter((e) => baseOf(e.path).endsWith('.safetensors'));
    const weightBytes = sizes.length > 0 && sizes.every((e) => typeof e.size === 'number') ? sizes.reduce((s, e) => s + (e.size ?? 0), 0) : null;
    const evidence: Evidence[] = [];
    const line = lineOf(text, '"architectures"');
    evidence.push({ file: configPath, ...(line !== undefined ? { line } : {}), reason: `config.json architectures ${JSON.stringify(architectures)}` });
    if (index) evidence.push({ file: index, reason: `safetensors index over ${shards.length} shard file${shards.length === 1 ? '' : 's'}` });
    else if (shards.length > 0) evidence.push({ file: shards[0] as string, reason: `safetensors weights (${shards.length} file${shards.length === 1 ? '' : 's'})` });
    if (tokenizerFiles.length > 0) evidence.push({ file: tokenizerFiles[0] as string, reason: 'tokenizer files beside the config' });
    const quantization = quantizationFromConfig(cfg);
    if (quantization) {
      const ql = lineOf(text, '"quantization_config"');
      evidence.push({ file: configPath, ...(ql !== undefined ? { line: ql } : {}), reason: `pre-quantized weights: ${quantization.method}${quantization.bits ? ` ${quantization.bits}-bit` : ''}` });
    }
    folders.push({
      kind: 'huggingface',
      folder: dir,
      config: configPath,
      architectures,
      modelType: typeof cfg.model_type === 'string' ? cfg.model_type : null,
      task,
      quantization,
      shards,
      index,
      tokenizerFiles,
      weightBytes,
      evidence,
    });
  }
  gguf.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { folders, gguf };
}

// ---- source code and dependencies ----

const SOURCE_RULES: ReadonlyArray<{ re: RegExp; reason: string; runtime: LlmRuntimeId | null }> = [
  { re: /\bAutoModelForCausalLM\b/, reason: 'loads a causal LM with transformers AutoModelForCausalLM', runtime: null },
  { re: /\bpipeline\s*\(\s*(?:task\s*=\s*)?["']text-generation["']/, reason: 'transformers pipeline("text-generation")', runtime: null },
  { re: /^\s*(?:from\s+vllm(?:\.[\w.]+)?\s+import\b|import\s+vllm\b)/, reason: 'imports vllm', runtime: 'vllm' },
  { re: /^\s*(?:from\s+sglang(?:\.[\w.]+)?\s+import\b|import\s+sglang\b)/, reason: 'imports sglang', runtime: 'sglang' },
  { re: /^\s*(?:from\s+llama_cpp(?:\.[\w.]+)?\s+import\b|import\s+llama_cpp\b)/, reason: 'imports llama_cpp (llama-cpp-python)', runtime: 'llama.cpp' },
];

export interface LlmSourceFinding {
  evidence: Evidence;
  runtime: LlmRuntimeId | null;
}

/** LLM usage in one Python source text: one finding per rule and line, at most `max`. */
export function scanLlmSource(file: string, text: string, max = 20): LlmSourceFinding[] {
  const out: LlmSourceFinding[] = [];
  let line = 1;
  let start = 0;
  while (start <= text.length && out.length < max) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    // Long lines (minified or generated) are skipped rather than scanned at length.
    if (end - start <= 4000) {
      const l = text.slice(start, end);
      for (const r of SOURCE_RULES) if (r.re.test(l)) out.push({ evidence: { file, line, reason: r.reason }, runtime: r.runtime });
    }
    start = end + 1;
    line++;
  }
  return out.slice(0, max);
}

export interface DependencyRef {
  /** Distribution name as written (any case, `_`/`.` allowed). */
  name: string;
  file: string;
  line?: number;
}

const DEP_RUNTIMES: Readonly<Record<string, LlmRuntimeId>> = {
  vllm: 'vllm',
  sglang: 'sglang',
  'text-generation-inference': 'tgi',
  'text-generation': 'tgi',
  'llama-cpp-python': 'llama.cpp',
};

/** Serving runtimes named by dependencies (PEP 503 name normalization). */
export function llmDependencyEvidence(deps: readonly DependencyRef[]): Array<{ runtime: LlmRuntimeId; evidence: Evidence }> {
  const out: Array<{ runtime: LlmRuntimeId; evidence: Evidence }> = [];
  for (const d of deps) {
    const norm = d.name.toLowerCase().replace(/[-_.]+/g, '-');
    const runtime = DEP_RUNTIMES[norm];
    if (!runtime) continue;
    out.push({ runtime, evidence: { file: d.file, ...(d.line !== undefined ? { line: d.line } : {}), reason: `depends on ${norm}` } });
  }
  return out;
}
