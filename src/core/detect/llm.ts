// Large language models in a project: Hugging Face model folders whose config.json names a
// causal-LM (or conditional-generation) architecture, GGUF files, code that loads an LLM, and the
// serving runtimes (vLLM, SGLang, TGI, llama.cpp) the dependencies name. Pure: the detector reads
// the few config.json files and folder listings this needs and passes them in.
import { configFilesToRead, findModelFolders, llmDependencyEvidence, scanLlmSource, type ListingEntry } from '../llm/detect';
import type { LlmRuntimeId } from '../llm/runtimes';
import type { FileFacts, LlmSourceFact } from './facts';
import type { Artifact, DeclaredPackage, Evidence, LlmFinding, LlmModelFinding } from './types';

/** Evidence kept per runtime and for code: a monorepo can import vllm in hundreds of files. */
const MAX_EVIDENCE = 10;
const MAX_HUB_IDS = 10;

// What a source must contain for an LLM fact to come out of it; most files are not split into lines.
const WORTH_SCANNING = /AutoModelForCausalLM|text-generation|vllm|sglang|llama_cpp|from_pretrained/;

// `from_pretrained("org/name")`, `LLM(model="org/name")`, `pipeline(..., model="org/name")`:
// bounded runs of the characters Hugging Face allows in repository ids, so no backtracking.
const HUB_ID = String.raw`["']([A-Za-z0-9][A-Za-z0-9_.-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.-]{0,95})["']`;
const HUB_RULES: readonly RegExp[] = [
  new RegExp(String.raw`\bAutoModelForCausalLM\s*\.\s*from_pretrained\s*\(\s*(?:pretrained_model_name_or_path\s*=\s*)?${HUB_ID}`),
  new RegExp(String.raw`\bLLM\s*\(\s*(?:model\s*=\s*)?${HUB_ID}`),
  new RegExp(String.raw`\bpipeline\s*\([^)]{0,200}?\bmodel\s*=\s*${HUB_ID}`),
];

/** LLM facts of one Python source (or notebook JSON) text; empty for most files. */
export function scanLlmFacts(file: string, text: string): { llm: LlmSourceFact[]; hubModels: { id: string; line: number }[] } {
  if (!WORTH_SCANNING.test(text)) return { llm: [], hubModels: [] };
  const llm = scanLlmSource(file, text).map((f) => ({ line: f.evidence.line ?? 1, reason: f.evidence.reason, runtime: f.runtime }));
  const hubModels: { id: string; line: number }[] = [];
  if (text.includes('from_pretrained') || text.includes('LLM(') || text.includes('pipeline')) {
    let line = 0;
    for (const l of text.split('\n')) {
      line++;
      if (l.length > 4000 || hubModels.length >= MAX_HUB_IDS) continue;
      for (const re of HUB_RULES) {
        const m = re.exec(l);
        if (m?.[1] && !hubModels.some((h) => h.id === m[1])) hubModels.push({ id: m[1], line });
      }
    }
  }
  return { llm, hubModels };
}

/** A project-relative folder's entries, files only, as the detector listed them. */
export type FolderListing = ReadonlyMap<string, readonly string[]>;

export interface LlmInput {
  packages: readonly DeclaredPackage[];
  files: readonly FileFacts[];
  artifacts: readonly Artifact[];
  /** Hugging Face artifact folder ('.' for the root) → its file names. */
  listings: FolderListing;
  /** config.json path (project-relative) → its text, for the paths `llmConfigFiles` named. */
  configs: ReadonlyMap<string, string>;
}

function joinDir(dir: string, name: string): string {
  return dir === '.' || dir === '' ? name : `${dir}/${name}`;
}

function listingOf(artifacts: readonly Artifact[], listings: FolderListing): ListingEntry[] {
  const out: ListingEntry[] = [];
  for (const a of artifacts) {
    if (a.format === 'huggingface') for (const n of listings.get(a.file) ?? []) out.push({ path: joinDir(a.file, n) });
    else if (a.format === 'gguf') out.push({ path: a.file, size: a.bytes });
  }
  return out;
}

/** The config.json files the detector should read (beside weights or tokenizer files of a model folder). */
export function llmConfigFiles(artifacts: readonly Artifact[], listings: FolderListing): string[] {
  return configFilesToRead(listingOf(artifacts, listings));
}

const SPLIT = /-(\d{5})-of-(\d{5})\.gguf$/i;

function isTestFile(rel: string): boolean {
  return /(^|\/)(tests?|testing)\//.test(rel) || /(^|\/)test_[^/]*\.py$/.test(rel);
}

/** The LLM part of the report, or null when nothing points at an LLM. */
export function llmFinding(input: LlmInput): LlmFinding | null {
  const listing = listingOf(input.artifacts, input.listings);
  const found = findModelFolders(listing, input.configs);
  const models: LlmModelFinding[] = [];
  for (const f of found.folders) {
    const bytes = input.artifacts.find((a) => a.format === 'huggingface' && a.file === f.folder)?.bytes ?? f.weightBytes ?? 0;
    models.push({
      kind: 'huggingface',
      path: f.folder,
      architectures: f.architectures,
      modelType: f.modelType,
      quantization: f.quantization ? { method: f.quantization.method, bits: f.quantization.bits } : null,
      bytes,
      evidence: f.evidence,
    });
  }
  for (const g of found.gguf) {
    // One entry per model: the first part of a split file stands for all of them; projectors are not models.
    if (g.role !== 'model' || (g.split && g.split.part !== 1)) continue;
    let bytes = g.bytes ?? 0;
    if (g.split) {
      const stem = g.file.replace(SPLIT, '');
      for (const other of found.gguf) if (other !== g && other.split && other.file.replace(SPLIT, '') === stem) bytes += other.bytes ?? 0;
    }
    models.push({ kind: 'gguf', path: g.file, architectures: [], modelType: null, quantization: null, bytes, evidence: g.evidence });
  }

  const runtimes = new Map<LlmRuntimeId, Evidence[]>();
  const add = (r: LlmRuntimeId, e: Evidence): void => {
    const list = runtimes.get(r) ?? [];
    if (list.length < MAX_EVIDENCE) list.push(e);
    runtimes.set(r, list);
  };
  const deps = input.packages.map((p) => ({ name: p.name, file: p.file, ...(p.line !== undefined ? { line: p.line } : {}) }));
  for (const d of llmDependencyEvidence(deps)) add(d.runtime, d.evidence);
  const code: Evidence[] = [];
  const hubModels: LlmFinding['hubModels'] = [];
  for (const f of input.files) {
    if (isTestFile(f.file)) continue;
    for (const s of f.llm ?? []) {
      const e: Evidence = { file: f.file, line: s.line, reason: s.reason };
      if (s.runtime) add(s.runtime, e);
      else if (code.length < MAX_EVIDENCE) code.push(e);
    }
    for (const h of f.hubModels ?? []) {
      if (hubModels.length < MAX_HUB_IDS && !hubModels.some((x) => x.id === h.id)) hubModels.push({ id: h.id, file: f.file, line: h.line });
    }
  }
  if (models.length === 0 && runtimes.size === 0 && code.length === 0) return null;
  const order: LlmRuntimeId[] = ['vllm', 'sglang', 'tgi', 'llama.cpp'];
  return {
    models,
    runtimes: order.filter((r) => runtimes.has(r)).map((r) => ({ name: r, evidence: runtimes.get(r) ?? [] })),
    code,
    hubModels,
  };
}
