// Python sources and notebooks: imports (frameworks nobody declared) and entrypoints.
// A per-line scanner, not a parser: it blanks strings (docstrings included) so that text inside
// them never counts as code, and that is all the precision detection needs.
import { emptyFacts, loc, shorten, type EntrypointFact, type FileFacts, type ImportFact, type UsageFact } from './facts';
import type { EntrypointKind } from './types';

interface CodeLine {
  /** The line with string contents blanked and the comment removed. */
  code: string;
  raw: string;
  line: number;
}

/**
 * Splits source into code lines, skipping lines that lie entirely inside triple-quoted strings.
 * Runs over every line of up to thousands of files, mostly in a cold process (the CLI): the
 * text between quotes and comments is copied in slices found by native search, never char by char.
 */
export function codeLines(src: string): CodeLine[] {
  const out: CodeLine[] = [];
  const lines = src.split(/\r?\n/);
  const SPECIAL = /["'#]/g;
  let triple: string | null = null;
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    let code = '';
    let i = 0;
    if (triple) {
      const end = raw.indexOf(triple);
      if (end < 0) continue;
      i = end + 3;
      code = ' '.repeat(i);
      triple = null;
    } else if (raw.indexOf('"') < 0 && raw.indexOf("'") < 0) {
      // No string on the line (most lines): the code is the line up to a comment.
      const hash = raw.indexOf('#');
      const c = hash < 0 ? raw : raw.slice(0, hash);
      if (/\S/.test(c)) out.push({ code: c, raw, line: n + 1 });
      continue;
    }
    while (i < raw.length) {
      SPECIAL.lastIndex = i;
      const m = SPECIAL.exec(raw);
      const j = m ? m.index : raw.length;
      if (j > i) code += raw.slice(i, j);
      i = j;
      if (i >= raw.length) break;
      const c = raw[i]!;
      if (c === '#') break;
      if (raw.startsWith(c.repeat(3), i)) {
        const close = raw.indexOf(c.repeat(3), i + 3);
        if (close < 0) {
          triple = c.repeat(3);
          code += c;
          break;
        }
        code += c + ' '.repeat(close + 1 - i) + c;
        i = close + 3;
        continue;
      }
      let k = i + 1;
      while (k < raw.length && raw[k] !== c) k += raw[k] === '\\' ? 2 : 1;
      code += c + ' '.repeat(Math.max(0, Math.min(k, raw.length) - i - 1)) + c;
      i = k + 1;
    }
    if (/\S/.test(code)) out.push({ code, raw, line: n + 1 });
  }
  return out;
}

const IMPORT_RE = /^\s*import\s+(.+)$/;
const FROM_RE = /^\s*from\s+([A-Za-z_][\w.]*)\s+import\b/;

function importsOf(stmt: string): string[] {
  const from = FROM_RE.exec(stmt);
  if (from) return [from[1]!.split('.')[0]!];
  const imp = IMPORT_RE.exec(stmt);
  if (!imp) return [];
  return imp[1]!
    .split(',')
    .map((part) => /^\s*([A-Za-z_]\w*)/.exec(part)?.[1])
    .filter((m): m is string => !!m);
}

/** Import statements as found, for a second look at what they bind (usage). */
type ImportStatements = Array<[CodeLine, string]>;

function collectImports(lines: CodeLine[], facts: FileFacts, where: (l: CodeLine) => Pick<ImportFact, 'line' | 'reason'>, statements?: ImportStatements): Set<string> {
  const modules = new Set<string>();
  for (const l of lines) {
    if (!IMPORT_WORD.test(l.code)) continue;
    for (const stmt of l.code.split(';')) {
      const found = importsOf(stmt);
      for (const module of found) {
        modules.add(module);
        const w = where(l);
        facts.imports.push({ module, ...w, reason: w.reason || shorten(stmt.trim(), 80) });
      }
      if (found.length) statements?.push([l, stmt]);
    }
  }
  return modules;
}

const IMPORT_WORD = /\b(?:import|from)\b/;

const TORCHSERVE_BASES = /\b(BaseHandler|ImageClassifier|VisionHandler|TextHandler|ObjectDetector|ImageSegmenter|TextClassifier)\b/;

// ---- What a file does with a framework: build and train a model, or only feed it data ----

type Use = Pick<UsageFact, 'framework' | 'use'>;

// Module (or module attribute) paths, most specific first. A path matches an entry equal to it
// or one of its parents (`torch.utils.data.DataLoader` → `torch.utils.data`).
const USE_BY_PATH = new Map<string, Use>([
  // Only around the model: input pipelines and datasets.
  ['tensorflow_datasets', { framework: 'tensorflow', use: 'data' }],
  ['tensorflow.data', { framework: 'tensorflow', use: 'data' }],
  ['tensorflow.io', { framework: 'tensorflow', use: 'data' }],
  ['tensorflow.image', { framework: 'tensorflow', use: 'data' }],
  ['torch.utils.data', { framework: 'pytorch', use: 'data' }],
  ['torch.utils.tensorboard', { framework: 'pytorch', use: 'data' }],
  ['torchvision.datasets', { framework: 'pytorch', use: 'data' }],
  ['torchvision.transforms', { framework: 'pytorch', use: 'data' }],
  ['torchvision.io', { framework: 'pytorch', use: 'data' }],
  ['torchdata', { framework: 'pytorch', use: 'data' }],
  // Building, training or running a model.
  ['tensorflow.keras', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.python.keras', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.estimator', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.saved_model', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.lite', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.GradientTape', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.Module', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.Variable', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.optimizers', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.losses', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.layers', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.distribute', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.nn', { framework: 'tensorflow', use: 'model' }],
  // tf.train holds both the TFRecord message types input pipelines use (Example, Features)
  // and training state: only the latter counts.
  ['tensorflow.train.Checkpoint', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.train.CheckpointManager', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.train.Saver', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.train.AdamOptimizer', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.train.GradientDescentOptimizer', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.train.MomentumOptimizer', { framework: 'tensorflow', use: 'model' }],
  ['tensorflow.train.Example', { framework: 'tensorflow', use: 'data' }],
  ['tensorflow.train.Features', { framework: 'tensorflow', use: 'data' }],
  ['tensorflow.train.Feature', { framework: 'tensorflow', use: 'data' }],
  ['tensorflow_hub', { framework: 'tensorflow', use: 'model' }],
  ['tf_keras', { framework: 'keras', use: 'model' }],
  ['keras', { framework: 'keras', use: 'model' }],
  ['torch.nn', { framework: 'pytorch', use: 'model' }],
  ['torch.optim', { framework: 'pytorch', use: 'model' }],
  ['torch.jit', { framework: 'pytorch', use: 'model' }],
  ['torch.cuda', { framework: 'pytorch', use: 'model' }],
  ['torch.distributed', { framework: 'pytorch', use: 'model' }],
  ['torch.autograd', { framework: 'pytorch', use: 'model' }],
  ['torch.amp', { framework: 'pytorch', use: 'model' }],
  ['torch.save', { framework: 'pytorch', use: 'model' }],
  ['torch.load', { framework: 'pytorch', use: 'model' }],
  ['torch.compile', { framework: 'pytorch', use: 'model' }],
  ['torch.no_grad', { framework: 'pytorch', use: 'model' }],
  ['torch.inference_mode', { framework: 'pytorch', use: 'model' }],
  ['torch.autocast', { framework: 'pytorch', use: 'model' }],
  ['torch.hub', { framework: 'pytorch', use: 'model' }],
  ['torchvision.models', { framework: 'pytorch', use: 'model' }],
  ['lightning', { framework: 'pytorch', use: 'model' }],
  ['pytorch_lightning', { framework: 'pytorch', use: 'model' }],
  ['timm', { framework: 'pytorch', use: 'model' }],
  ['ultralytics', { framework: 'pytorch', use: 'model' }],
  ['accelerate', { framework: 'pytorch', use: 'model' }],
  ['peft', { framework: 'pytorch', use: 'model' }],
  ['diffusers', { framework: 'pytorch', use: 'model' }],
  ['vllm', { framework: 'pytorch', use: 'model' }],
  ['sentence_transformers', { framework: 'pytorch', use: 'model' }],
  ['flax', { framework: 'jax', use: 'model' }],
  ['optax', { framework: 'jax', use: 'model' }],
  ['haiku', { framework: 'jax', use: 'model' }],
  ['equinox', { framework: 'jax', use: 'model' }],
  ['objax', { framework: 'jax', use: 'model' }],
  ['trax', { framework: 'jax', use: 'model' }],
  ['jax.grad', { framework: 'jax', use: 'model' }],
  ['jax.value_and_grad', { framework: 'jax', use: 'model' }],
  ['jax.jit', { framework: 'jax', use: 'model' }],
  ['jax.pmap', { framework: 'jax', use: 'model' }],
  ['jax.experimental.pjit', { framework: 'jax', use: 'model' }],
  ['jax.example_libraries', { framework: 'jax', use: 'model' }],
]);

/** Modules whose attributes tell the use (`tf.data` vs `tf.keras`); aliases normalised to them. */
const ROOTS = new Map<string, string>([
  ['tensorflow', 'tensorflow'],
  ['tensorflow.compat.v1', 'tensorflow'],
  ['tensorflow.compat.v2', 'tensorflow'],
  ['torch', 'torch'],
  ['jax', 'jax'],
]);

function useOf(path: string): Use | undefined {
  for (let p = path; p; p = p.slice(0, Math.max(0, p.lastIndexOf('.')))) {
    const u = USE_BY_PATH.get(p);
    if (u) return u;
    if (!p.includes('.')) break;
  }
  return undefined;
}

/** Name → module path bound by an import statement (`import tensorflow.compat.v2 as tf`). */
function bindingsOf(stmt: string): Array<[string, string]> {
  const from = /^\s*from\s+([A-Za-z_][\w.]*)\s+import\s+\(?\s*(.*)$/.exec(stmt);
  const out: Array<[string, string]> = [];
  if (from) {
    for (const part of from[2]!.split(',')) {
      const m = /^\s*([A-Za-z_]\w*)(?:\s+as\s+([A-Za-z_]\w*))?/.exec(part);
      if (m) out.push([m[2] ?? m[1]!, `${from[1]}.${m[1]}`]);
    }
    return out;
  }
  const imp = /^\s*import\s+(.+)$/.exec(stmt);
  if (!imp) return out;
  for (const part of imp[1]!.split(',')) {
    const m = /^\s*([A-Za-z_][\w.]*)(?:\s+as\s+([A-Za-z_]\w*))?/.exec(part);
    if (!m) continue;
    // `import a.b` binds `a`; `import a.b as x` binds x to a.b.
    out.push(m[2] ? [m[2], m[1]!] : [m[1]!.split('.')[0]!, m[1]!.split('.')[0]!]);
    if (!m[2] && m[1]!.includes('.')) out.push(['', m[1]!]);
  }
  return out;
}

const FRAMEWORK_MODULES = new Set(['tensorflow', 'tensorflow_datasets', 'tensorflow_hub', 'torch', 'torchvision', 'torchdata', 'jax', 'flax', 'optax', 'haiku', 'equinox', 'objax', 'trax', 'keras', 'tf_keras', 'lightning', 'pytorch_lightning', 'timm', 'ultralytics', 'accelerate', 'peft', 'diffusers', 'vllm', 'sentence_transformers']);

/**
 * Records, per framework, the first line that builds or trains a model and the first that only
 * handles data. `where` places a line (notebook cells have no file line).
 */
function collectUsage(
  lines: readonly CodeLine[],
  statements: ImportStatements,
  modules: ReadonlySet<string>,
  facts: FileFacts,
  where: (l: CodeLine) => Pick<UsageFact, 'line' | 'reason'>,
): void {
  let relevant = false;
  for (const m of modules) if (FRAMEWORK_MODULES.has(m)) relevant = true;
  if (!relevant) return;
  const seen = new Set<string>();
  const record = (u: Use, l: CodeLine, text: string) => {
    const key = `${u.framework} ${u.use}`;
    if (seen.has(key)) return;
    seen.add(key);
    const w = where(l);
    (facts.usage ??= []).push({ ...u, ...(w.line ? { line: w.line } : {}), reason: w.reason || shorten(text, 80) });
  };
  const roots = new Map<string, string>();
  for (const [l, stmt] of statements) {
    for (const [name, path] of bindingsOf(stmt)) {
      const u = useOf(path);
      if (u) record(u, l, stmt.trim());
      const root = ROOTS.get(path);
      if (root && name) roots.set(name, root);
    }
  }
  if (roots.size) {
    const re = new RegExp(`\\b(${[...roots.keys()].join('|')})\\.([A-Za-z_]\\w*)(?:\\.([A-Za-z_]\\w*))?`, 'g');
    for (const l of lines) {
      if (!l.code.includes('.')) continue;
      re.lastIndex = 0;
      for (let m = re.exec(l.code); m; m = re.exec(l.code)) {
        // `x.tf.keras` is someone else's attribute.
        if (m.index > 0 && l.code[m.index - 1] === '.') continue;
        const u = useOf(`${roots.get(m[1]!)!}.${m[2]}${m[3] ? `.${m[3]}` : ''}`);
        if (u) record(u, l, m[0]);
      }
    }
  }
  // `tf.config.set_visible_devices([], "GPU")`: TensorFlow must not take the GPUs, because
  // another framework (JAX, PyTorch) trains on them. TensorFlow is only feeding data there.
  if (modules.has('tensorflow')) {
    for (const l of lines) {
      if (/set_visible_devices\s*\(\s*\[\s*\]/.test(l.code) && /["']GPU["']/.test(l.raw)) {
        const w = where(l);
        facts.hints.push({ gpu: true, reason: 'GPUs are hidden from TensorFlow for another framework', ...(w.line ? { line: w.line } : {}) });
        break;
      }
    }
  }
}

/**
 * Every name a source must contain for any fact to come out of it: framework and serving modules,
 * TorchServe's base class, `__main__`. Grouped by first letter so the scan stays cheap; a file
 * that matches nothing (most of a large tree) is not split into lines at all.
 */
const WORTH_PARSING =
  /t(?:orch|ensorflow|ransformers|imm|rax)|keras|jax|f(?:lax|astapi|lask)|s(?:klearn|treamlit)|xgboost|li(?:ghtgbm|ghtning)|c(?:atboost|og)|o(?:nnxruntime|ptax|bjax)|diffusers|vllm|ultralytics|accelerate|peft|haiku|equinox|gradio|BaseHandler|bentoml|__main__/;

export function parsePythonSource(text: string, file: string): FileFacts {
  const facts = emptyFacts(file);
  if (!WORTH_PARSING.test(text)) return facts;
  const lines = codeLines(text);
  const statements: ImportStatements = [];
  const modules = collectImports(lines, facts, (l) => ({ line: l.line, reason: '' }), statements);
  const found = new Map<EntrypointKind, EntrypointFact>();
  const mark = (kind: EntrypointKind, line: number, object?: string) => {
    if (!found.has(kind)) found.set(kind, { kind, line, ...(object ? { object } : {}) });
  };
  const hasTs = modules.has('ts');
  const hasCog = modules.has('cog');
  const hasBento = modules.has('bentoml');
  let bentoDecorator = 0;
  for (const l of lines) {
    const c = l.code;
    if (modules.has('fastapi') && /\bFastAPI\s*\(/.test(c)) mark('fastapi', l.line);
    if (modules.has('flask') && /\bFlask\s*\(/.test(c)) mark('flask', l.line);
    if (modules.has('gradio') && /(\.launch\s*\(|\b\w+\.(Interface|Blocks|ChatInterface|TabbedInterface)\s*\()/.test(c)) mark('gradio', l.line);
    if (modules.has('streamlit') && /^\s*(import\s+streamlit|from\s+streamlit\b)/.test(c)) mark('streamlit', l.line);
    const cls = /^\s*class\s+(\w+)\s*(?:\(([^)]*)\))?/.exec(c);
    if (cls?.[2] !== undefined && (/\bBaseHandler\b/.test(cls[2]) || (hasTs && TORCHSERVE_BASES.test(cls[2])))) mark('torchserve', l.line);
    // Cog's predictor: `class Predictor(BasePredictor)`, served by Cog's HTTP server.
    if (hasCog && cls?.[2] !== undefined && /\bBasePredictor\b/.test(cls[2])) mark('cog', l.line, cls[1]);
    if (hasBento) {
      // BentoML 1.2+: `@bentoml.service(...)` on a class; before: `svc = bentoml.Service(...)`.
      if (/^\s*@\s*bentoml\s*\.\s*service\b/.test(c)) bentoDecorator = l.line;
      else if (bentoDecorator && cls) {
        mark('bentoml', bentoDecorator, cls[1]);
        bentoDecorator = 0;
      }
      const svc = /^\s*([A-Za-z_]\w*)\s*=\s*bentoml\s*\.\s*Service\s*\(/.exec(c);
      if (svc) mark('bentoml', l.line, svc[1]);
      if (/["']gpu["']\s*:\s*[1-9]/.test(l.raw)) facts.hints.push({ gpu: true, reason: 'BentoML service resources ask for a GPU', line: l.line });
    }
    // The string is blanked in `code`, so check the raw text, anchored at column 0 of real code.
    if (/^if\b/.test(c) && /^if\s+(__name__\s*==\s*["']__main__["']|["']__main__["']\s*==\s*__name__)\s*:/.test(l.raw)) mark('script', l.line);
  }
  for (const e of found.values()) facts.entrypoints.push(e);
  collectUsage(lines, statements, modules, facts, (l) => ({ line: l.line, reason: '' }));
  return facts;
}

export function parseNotebook(text: string, file: string): FileFacts {
  const facts = emptyFacts(file);
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch {
    // V8's message quotes the text: it is not repeated.
    facts.warnings.push(`${loc(file)}: notebook is not valid JSON, skipped`);
    return facts;
  }
  const cells = (nb as { cells?: unknown } | null)?.cells;
  if (!Array.isArray(cells)) {
    facts.warnings.push(`${loc(file)}: notebook has no 'cells' list, skipped`);
    return facts;
  }
  // Names imported in one cell are used in the next: usage is read over all cells at once.
  const all: CodeLine[] = [];
  const cellOf = new Map<CodeLine, number>();
  const modules = new Set<string>();
  const statements: ImportStatements = [];
  const where = (l: CodeLine) => ({ reason: `${shorten(l.code.trim(), 80)} (cell ${(cellOf.get(l) ?? 0) + 1}, line ${l.line})` });
  cells.forEach((cell: unknown, index) => {
    const c = cell as { cell_type?: unknown; source?: unknown } | null;
    if (c?.cell_type !== 'code') return;
    const src = Array.isArray(c.source) ? c.source.filter((s): s is string => typeof s === 'string').join('') : typeof c.source === 'string' ? c.source : '';
    // Shell escapes and magics (`!pip install`, `%matplotlib`) are not Python.
    const lines = codeLines(src.replace(/^[ \t]*[!%].*$/gm, ''));
    for (const l of lines) {
      cellOf.set(l, index);
      all.push(l);
    }
    for (const m of collectImports(lines, facts, where, statements)) modules.add(m);
  });
  collectUsage(all, statements, modules, facts, where);
  return facts;
}
