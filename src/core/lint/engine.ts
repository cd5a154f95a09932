// The linting engine behind createLinter(). A file is split at `---` into documents; each document
// is parsed, schema-checked and ruled on its own and the result is cached by the document's text.
// Kept apart from index.ts so tests can build an engine without the fast YAML path and prove that
// both give the same findings.
import { isMap } from 'yaml';
import type { Document, Node } from 'yaml';
import { FastYaml } from './fastYaml';
import { SchemaSet, apiGroup, explain, k8sSchemaKey, servedApiVersion, KUBERNETES_VERSION } from './schema';
import type { SchemaKey } from './schema';
import { checkCompose, checkKubernetes, checkPorts } from './rules';
import type { DocFacts, RawFinding } from './rules';
import type { Finding, Fix, LintOptions, Range } from './types';
import { Positions, get, parseChunk, splitDocuments, str } from './yamlDoc';

export interface EngineOptions {
  /** Parse the common subset of YAML with FastYaml, falling back to `yaml` (default true). */
  fastPath?: boolean;
}

/** What one document produced, positions relative to the document's first line. */
interface DocResult {
  findings: RawFinding[];
  facts: DocFacts;
}

const EMPTY_FACTS: DocFacts = { pods: [], services: [] };

/** True for compose file names: compose.yaml, docker-compose.yml, docker-compose.gpu.yaml, compose.override.yml… */
export function isComposeFileName(file: string): boolean {
  const base = file.split(/[\\/]/).pop() ?? file;
  return /^(docker-)?compose([.-][^\\/]*)?\.ya?ml$/i.test(base);
}

export interface LintStats {
  documents: number;
  /** Documents whose findings came from the cache. */
  reused: number;
  validated: number;
}

/** The incremental state of one open file: findings per document text. */
export class DocumentCache {
  constructor(
    readonly file: string,
    readonly optionsKey: string,
    readonly entries: ReadonlyMap<string, DocResult>,
    readonly stats: LintStats,
  ) {}
}

export interface AsyncLintOptions extends LintOptions {
  /** Called between documents when a slice has run `sliceMs`; resolve to continue (e.g. setImmediate). */
  yieldFn?: () => Promise<void>;
  sliceMs?: number;
}

export interface Linter {
  lintYaml(text: string, file: string, options?: LintOptions): Finding[];
  lintIncremental(prev: DocumentCache | undefined, text: string, file: string, options?: LintOptions): { findings: Finding[]; cache: DocumentCache };
  lintYamlAsync(text: string, file: string, options?: AsyncLintOptions, prev?: DocumentCache): Promise<{ findings: Finding[]; cache: DocumentCache }>;
}

/** A linter owns its loaded validators; keep one per extension host / CLI run and reuse it. */
export function createEngine(engineOptions: EngineOptions = {}): Linter {
  const schemas = new SchemaSet();
  const fast = engineOptions.fastPath === false ? undefined : new FastYaml();

  function lintDocument(text: string, compose: boolean, options: LintOptions): DocResult {
    const out: RawFinding[] = [];
    let parsed: { doc: Document.Parsed; lines: ReturnType<typeof parseChunk>['lines'] };
    // What doc.toJS() gives, when the fast path computed it while parsing.
    let fastValue: { value: unknown } | undefined;
    try {
      const f = fast?.parse(text);
      if (f) {
        parsed = f;
        fastValue = { value: f.value };
      } else parsed = parseChunk(text);
    } catch (err) {
      // Pathological nesting can exhaust the parser's stack: report, never crash the host.
      out.push({ line: 1, column: 1, endLine: 1, endColumn: 1, severity: 'error', rule: 'syntax', message: `could not parse this document (${err instanceof Error ? err.message : String(err)})` });
      return { findings: out, facts: EMPTY_FACTS };
    }
    const { doc, lines } = parsed;
    const pos = new Positions(lines, text);
    let broken = false;
    for (const e of doc.errors) {
      const [s, en] = e.pos;
      if (e.code === 'DUPLICATE_KEY') {
        const key = /^(?:"[^"\n]*"|'[^'\n]*'|[^:\n]*)/.exec(text.slice(s, s + 1024))?.[0].trim() || '?';
        out.push({ ...pos.range(s, s + key.length), severity: 'error', rule: 'duplicate-key', message: `duplicate key \`${key}\`: YAML keeps only the last value, and the API server rejects the object` });
      } else {
        broken = true;
        out.push({ ...pos.range(s, Math.max(en, s + 1)), severity: 'error', rule: 'syntax', message: e.message.split('\n')[0] ?? e.message });
      }
    }
    if (broken || !isMap(doc.contents)) return { findings: out, facts: EMPTY_FACTS };
    const root = doc.contents as Node;
    const apiVersion = str(doc, get(doc, root, 'apiVersion'));
    const kind = str(doc, get(doc, root, 'kind'));
    let key: SchemaKey | undefined;
    let isK8s = false;
    if (apiVersion && kind) {
      isK8s = true;
      key = k8sSchemaKey(apiVersion, kind);
      if (!key) {
        const served = servedApiVersion(kind);
        // Same group, other version (e.g. apps/v1beta2, autoscaling/v2beta2): a removed API.
        // A different group is someone's CRD that happens to share the kind name: skip it.
        if (served && (apiGroup(served) === apiGroup(apiVersion) || apiGroup(apiVersion) === 'extensions') && options.schema !== false) {
          out.push({ ...pos.nodeRange(get(doc, root, 'apiVersion')), severity: 'error', rule: 'schema', message: `\`${apiVersion}\` ${kind} is not served by Kubernetes ${KUBERNETES_VERSION}: use \`apiVersion: ${served}\`` });
        }
        return { findings: out, facts: EMPTY_FACTS };
      }
    } else if (compose || get(doc, root, 'services')) {
      key = 'compose';
    } else {
      return { findings: out, facts: EMPTY_FACTS };
    }

    let value: unknown;
    try {
      value = fastValue ? fastValue.value : doc.toJS({ maxAliasCount: options.maxAliasCount ?? 100 });
    } catch (err) {
      const why = err instanceof ReferenceError ? 'too many alias expansions (a "billion laughs" document?)' : err instanceof Error ? err.message : String(err);
      out.push({ ...pos.nodeRange(root), severity: 'error', rule: 'syntax', message: `not validated: ${why}` });
      return { findings: out, facts: EMPTY_FACTS };
    }

    if (options.schema !== false) {
      const validate = schemas.validator(key);
      // The API server treats `field: null` as unset, so nulls must not fail type checks.
      const input = isK8s ? stripNulls(value, 0) : value;
      if (validate && !validate(input) && validate.errors) {
        const docStart = pos.nodeRange(get(doc, root, 'kind') ?? root);
        for (const p of explain(validate.errors, doc as Document.Parsed, pos, docStart)) {
          out.push({ ...p.range, severity: 'error', rule: 'schema', message: p.message });
        }
      }
    }
    let facts = EMPTY_FACTS;
    if (options.rules !== false) {
      if (key === 'compose') out.push(...checkCompose(doc, pos));
      else if (kind) {
        const r = checkKubernetes(doc, pos, kind);
        out.push(...r.findings);
        facts = r.facts;
      }
    }
    return { findings: out, facts };
  }

  function optionsKey(o: LintOptions): string {
    return `${o.schema !== false}|${o.rules !== false}|${o.maxAliasCount ?? 100}`;
  }

  interface Work {
    chunks: ReturnType<typeof splitDocuments>;
    results: DocResult[];
    entries: Map<string, DocResult>;
    stats: LintStats;
    compose: boolean;
    reuse: ReadonlyMap<string, DocResult> | undefined;
  }

  function begin(prev: DocumentCache | undefined, text: string, file: string, options: LintOptions): Work {
    const chunks = splitDocuments(text);
    const reuse = prev && prev.file === file && prev.optionsKey === optionsKey(options) ? prev.entries : undefined;
    return { chunks, results: [], entries: new Map(), stats: { documents: chunks.length, reused: 0, validated: 0 }, compose: isComposeFileName(file), reuse };
  }

  function step(w: Work, i: number, options: LintOptions): void {
    const c = w.chunks[i]!;
    let r = w.entries.get(c.text) ?? w.reuse?.get(c.text);
    if (r) w.stats.reused++;
    else {
      r = lintDocument(c.text, w.compose, options);
      w.stats.validated++;
    }
    w.entries.set(c.text, r);
    w.results.push(r);
  }

  function finish(w: Work, file: string, options: LintOptions): { findings: Finding[]; cache: DocumentCache } {
    const findings: Finding[] = [];
    const pods = w.results.flatMap((r) => r.facts.pods);
    const services: { svc: DocFacts['services'][number]; offset: number }[] = [];
    w.results.forEach((r, i) => {
      const offset = w.chunks[i]!.startLine;
      for (const f of r.findings) findings.push(place(f, file, offset));
      for (const svc of r.facts.services) services.push({ svc, offset });
    });
    if (options.rules !== false) {
      for (const p of checkPorts(services.map((s) => s.svc), pods)) {
        const { serviceIndex, ...f } = p;
        findings.push(place(f, file, services[serviceIndex]!.offset));
      }
    }
    findings.sort((a, b) => a.line - b.line || a.column - b.column);
    return { findings, cache: new DocumentCache(file, optionsKey(options), w.entries, w.stats) };
  }

  return {
    lintYaml(text, file, options = {}) {
      return this.lintIncremental(undefined, text, file, options).findings;
    },
    lintIncremental(prev, text, file, options = {}) {
      const w = begin(prev, text, file, options);
      for (let i = 0; i < w.chunks.length; i++) step(w, i, options);
      return finish(w, file, options);
    },
    async lintYamlAsync(text, file, options = {}, prev) {
      const yieldFn = options.yieldFn ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
      const sliceMs = options.sliceMs ?? 8;
      let sliceStart = performance.now();
      const w = begin(prev, text, file, options);
      for (let i = 0; i < w.chunks.length; i++) {
        step(w, i, options);
        if (performance.now() - sliceStart >= sliceMs) {
          await yieldFn();
          sliceStart = performance.now();
        }
      }
      return finish(w, file, options);
    },
  };
}

function shift<T extends Range>(r: T, offset: number): T {
  return offset ? { ...r, line: r.line + offset, endLine: r.endLine + offset } : { ...r };
}

function place(f: RawFinding, file: string, offset: number): Finding {
  const { fix, ...rest } = f;
  const out: Finding = { file, ...shift(rest, offset) };
  if (fix) {
    const moved: Fix = { title: fix.title, edits: fix.edits.map((e) => shift(e, offset)) };
    if (fix.needsInput) moved.needsInput = fix.needsInput;
    out.fix = moved;
  }
  return out;
}

function stripNulls(v: unknown, depth: number): unknown {
  if (depth > 200 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => stripNulls(x, depth + 1));
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) o[k] = stripNulls(x, depth + 1);
  return o;
}

