// The linting engine behind createLinter(). A file is split at `---` into documents; each document
// is parsed, schema-checked and ruled on its own and the result is cached by the document's text.
// Kept apart from index.ts so tests can build an engine without the fast YAML path and prove that
// both give the same findings.
import * as yaml from 'yaml';
import type { Document, Node } from 'yaml';
import { FastYaml } from './fastYaml';
import { DEFAULT_KUBERNETES_VERSION, SchemaLibrary, normalizeKubernetesVersion, resolveKind } from './k8s';
import { crdFromObject } from './k8s';
import type { WorkspaceCrd } from './k8s';
import { didYouMean } from './levenshtein';
import { SchemaSet, checkMetadataName, explain, replaceScalar } from './schema';
import { validate } from './validate';
import { checkCompose, checkKubernetes, checkPorts } from './rules';
import type { DocFacts, RawFinding } from './rules';
import type { Finding, Fix, LintOptions, Range } from './types';
import { applyFix, tooComplex } from './fix';
import { MESSAGE_MAX, clip, listed } from './text';
import { documentValue } from './value';
import { Positions, TooDeep, get, parseChunk, splitDocuments, str } from './yamlDoc';

// Bound once: a bundler turns named imports of a CommonJS package into a getter call per use,
// which profiles showed on the hot path.
const { isMap } = yaml;

export interface EngineOptions {
  /** Parse the common subset of YAML with FastYaml, falling back to `yaml` (default true). */
  fastPath?: boolean;
}

/** A Kubernetes document no schema covers (a custom resource without a known CRD). */
interface Unchecked {
  apiVersion: string;
  kind: string;
  range: Range;
}

/** What one document produced, positions relative to the document's first line. */
interface DocResult {
  findings: RawFinding[];
  facts: DocFacts;
  unchecked?: Unchecked;
}

const EMPTY_FACTS: DocFacts = { pods: [], services: [] };

/** Per document, fixes beyond this many are not offered (each is checked by re-linting the document). */
const MAX_VERIFIED_FIXES = 20;

function errorCounts(findings: readonly RawFinding[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of findings) if (f.severity === 'error') m.set(f.rule, (m.get(f.rule) ?? 0) + 1);
  return m;
}

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

export interface CrdSource {
  file: string;
  text: string;
}

export interface Linter {
  /**
   * The workspace's CustomResourceDefinitions (files as text): custom resources of those kinds are
   * validated against them (they win over the bundled CRDs). Replaces the previous set; returns
   * the kinds found, as `group/Kind`.
   */
  setCustomResourceDefinitions(sources: readonly CrdSource[]): string[];
  lintYaml(text: string, file: string, options?: LintOptions): Finding[];
  lintIncremental(prev: DocumentCache | undefined, text: string, file: string, options?: LintOptions): { findings: Finding[]; cache: DocumentCache };
  lintYamlAsync(text: string, file: string, options?: AsyncLintOptions, prev?: DocumentCache): Promise<{ findings: Finding[]; cache: DocumentCache }>;
}

/** A linter owns its loaded validators; keep one per extension host / CLI run and reuse it. */
export function createEngine(engineOptions: EngineOptions = {}): Linter {
  const schemas = new SchemaSet();
  const library = new SchemaLibrary();
  let workspaceCrds = new Map<string, WorkspaceCrd>();
  // Part of every cache key: new CRDs re-validate every document.
  let crdGeneration = 0;
  // A file of a thousand Deployments asks the same question a thousand times.
  const resolutions = new Map<string, ReturnType<typeof resolveKind>>();
  const minors = new Map<string | undefined, string>();
  const minorOf = (v: string | undefined): string => {
    let m = minors.get(v);
    if (m === undefined) {
      m = normalizeKubernetesVersion(v) ?? DEFAULT_KUBERNETES_VERSION;
      if (minors.size > 64) minors.clear();
      minors.set(v, m);
    }
    return m;
  };
  const resolve = (minor: string, apiVersion: string, kind: string): ReturnType<typeof resolveKind> => {
    const key = `${minor}\u0000${apiVersion}\u0000${kind}`;
    let r = resolutions.get(key);
    if (!r) {
      r = resolveKind(library, minor, apiVersion, kind, workspaceCrds, didYouMean);
      if (resolutions.size > 4096) resolutions.clear();
      resolutions.set(key, r);
    }
    return r;
  };
  const fast = engineOptions.fastPath === false ? undefined : new FastYaml();

  /**
   * Fixes that insert or restructure YAML are applied to the document and the result re-linted:
   * a fix that would add an error of any rule (a syntax error where yaml reads the new lines
   * differently, a schema error in content the fix exposes) is not offered. Value-only fixes
   * (a rounded GPU count, a pinned tag) cannot change the structure and are not re-checked.
   */
  function dropHarmfulFixes(text: string, compose: boolean, options: LintOptions, result: DocResult): void {
    let checked = 0;
    let before: Map<string, number> | undefined;
    for (const f of result.findings) {
      if (!f.fix || f.fix.needsInput || f.rule === 'gpu-fractional') continue;
      if (++checked > MAX_VERIFIED_FIXES) {
        delete f.fix;
        continue;
      }
      before ??= errorCounts(result.findings);
      const after = errorCounts(lintDocument(applyFix(text, f.fix), compose, options, false).findings);
      for (const [rule, n] of after) {
        if (n > (before.get(rule) ?? 0)) {
          delete f.fix;
          break;
        }
      }
    }
  }

  function lintDocument(text: string, compose: boolean, options: LintOptions, verifyFixes = true): DocResult {
    const result = lintDocumentOnce(text, compose, options);
    if (verifyFixes && result.findings.some((f) => f.fix)) dropHarmfulFixes(text, compose, options, result);
    return result;
  }

  function lintDocumentOnce(text: string, compose: boolean, options: LintOptions): DocResult {
    const out: RawFinding[] = [];
    let doc: Document.Parsed;
    // What the document's JS value is, when the fast path computed it while parsing.
    let fastValue: { value: unknown } | undefined;
    try {
      const f = fast?.parse(text);
      if (f) {
        doc = f.doc;
        fastValue = { value: f.value };
      } else doc = parseChunk(text).doc;
    } catch (err) {
      // Nesting beyond what the parser's recursion may take: report, never crash the host.
      const pos = new Positions(text);
      const at = err instanceof TooDeep ? err.offset : 0;
      out.push({ ...pos.range(at, at + 1), severity: 'error', rule: 'syntax', message: err instanceof TooDeep ? err.message : `could not parse this document (${clip(err instanceof Error ? err.message : String(err))})` });
      return { findings: out, facts: EMPTY_FACTS };
    }
    const pos = new Positions(text);
    let broken = false;
    for (const e of doc.errors) {
      const [s, en] = e.pos;
      broken = true;
      out.push({ ...pos.range(s, Math.max(en, s + 1)), severity: 'error', rule: 'syntax', message: clip(e.message.split('\n')[0] ?? e.message, 300) });
    }
    if (broken) return { findings: out, facts: EMPTY_FACTS };
    const root = isMap(doc.contents) ? (doc.contents as Node) : undefined;
    const apiVersion = root && str(doc, get(doc, root, 'apiVersion'));
    const kind = root && str(doc, get(doc, root, 'kind'));
    const isK8s = !!(apiVersion && kind);
    // One pass for the value, duplicate keys and aliases, whatever the document is.
    const conv = fastValue ? undefined : documentValue(doc, text, { dropNulls: isK8s, maxAliasNodes: options.maxAliasNodes });
    for (const p of conv?.problems ?? []) out.push({ ...pos.range(p.start, p.end), severity: 'error', rule: p.rule, message: p.message });
    if (!root) return { findings: out, facts: EMPTY_FACTS };
    if (!isK8s && !(compose || get(doc, root, 'services'))) return { findings: out, facts: EMPTY_FACTS };

    if (conv?.fatal) {
      out.push({ ...pos.range(conv.fatal.start, conv.fatal.end), severity: 'error', rule: 'syntax', message: conv.fatal.message });
      return { findings: out, facts: EMPTY_FACTS };
    }
    // The API server treats `field: null` as unset, so nulls must not fail type checks.
    const value = fastValue ? (isK8s ? stripNulls(fastValue.value, 0) : fastValue.value) : conv!.value;

    if (!isK8s) {
      if (options.schema !== false) {
        const validate = schemas.validator('compose');
        if (validate && !validate(value) && validate.errors) {
          for (const p of explain(validate.errors, doc, pos, pos.nodeRange(root))) out.push({ ...p.range, severity: 'error', rule: 'schema', message: p.message });
        }
      }
      if (options.rules !== false) out.push(...checkCompose(doc, pos));
      return { findings: out, facts: EMPTY_FACTS };
    }

    const unchecked = checkKubernetesSchema(doc, root, pos, value, apiVersion!, kind!, options, out);
    let facts = EMPTY_FACTS;
    if (options.rules !== false) {
      const r = checkKubernetes(doc, pos, kind!);
      out.push(...r.findings);
      facts = r.facts;
    }
    return unchecked ? { findings: out, facts, unchecked } : { findings: out, facts };
  }

  /**
   * The apiVersion/kind verdict for the chosen Kubernetes version (removed, not yet served, wrong
   * group, deprecated) and the schema check of built-in kinds and custom resources. Returns what
   * to list as not schema-checked when there is no schema for the kind.
   */
  function checkKubernetesSchema(doc: Document.Parsed, root: Node, pos: Positions, value: unknown, apiVersion: string, kind: string, options: LintOptions, out: RawFinding[]): Unchecked | undefined {
    const minor = minorOf(options.kubernetesVersion);
    const avNode = get(doc, root, 'apiVersion');
    const kindNode = get(doc, root, 'kind');
    if (apiVersion === 'v1' && kind === 'List') return { apiVersion, kind, range: pos.nodeRange(kindNode) };
    const res = resolve(minor, apiVersion, kind);
    const note = res.type === 'unknown' ? undefined : res.note;
    if (note && options.rules !== false) {
      const target = note.kindReplacement ? kindNode : avNode;
      const replacement = note.kindReplacement ?? note.replacement;
      const edit = replacement ? replaceScalar(pos, target, replacement) : undefined;
      const fix: Fix | undefined = edit ? { title: note.kindReplacement ? `Change the kind to ${replacement}` : `Change the apiVersion to ${replacement}`, edits: [edit] } : undefined;
      out.push({ ...pos.nodeRange(target), severity: note.severity, rule: note.rule, message: clip(note.message, 600), ...(fix ? { fix } : {}) });
    }
    if (res.type === 'unknown') return { apiVersion, kind, range: pos.nodeRange(kindNode) };
    if (res.type === 'problem' || options.schema === false) return undefined;
    const problems = validate(value, res.schema, res.defs, { defaultsApplied: res.origin !== 'builtin' });
    const docStart = pos.nodeRange(kindNode ?? root);
    const explained = explain(problems, doc, pos, docStart, { renameFix: true });
    for (const p of explained) out.push({ ...p.range, severity: 'error', rule: 'schema', message: p.message, ...(p.fix ? { fix: p.fix } : {}) });
    checkMetadataName(doc, root, pos, value, kind, res.origin, explained, out);
    return undefined;
  }

  function optionsKey(o: LintOptions): string {
    return `${o.schema !== false}|${o.rules !== false}|${o.maxAliasNodes ?? ''}|${minorOf(o.kubernetesVersion)}|${crdGeneration}`;
  }

  interface Work {
    chunks: ReturnType<typeof splitDocuments>;
    results: DocResult[];
    entries: Map<string, DocResult>;
    stats: LintStats;
    compose: boolean;
    reuse: ReadonlyMap<string, DocResult> | undefined;
    deadline: number;
    /** Set when the time budget ran out before the last document. */
    stoppedAfterMs?: number;
    started: number;
  }

  function begin(prev: DocumentCache | undefined, text: string, file: string, options: LintOptions): Work {
    const chunks = splitDocuments(text);
    const reuse = prev && prev.file === file && prev.optionsKey === optionsKey(options) ? prev.entries : undefined;
    const started = performance.now();
    const deadline = options.budgetMs !== undefined ? started + options.budgetMs : Infinity;
    return { chunks, results: [], entries: new Map(), stats: { documents: chunks.length, reused: 0, validated: 0 }, compose: isComposeFileName(file), reuse, deadline, started };
  }

  /** False once the budget is spent (checked between documents; the caller stops there). */
  function inBudget(w: Work, i: number): boolean {
    if (i + 1 >= w.chunks.length || w.deadline === Infinity) return true;
    const now = performance.now();
    if (now <= w.deadline) return true;
    w.stoppedAfterMs = now - w.started;
    return false;
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
    const unchecked = w.results.map((r, i) => (r.unchecked ? { u: r.unchecked, offset: w.chunks[i]!.startLine } : undefined)).filter((x) => x !== undefined);
    if (unchecked.length && options.schema !== false) findings.push(place(uncheckedFinding(unchecked), file, 0));
    if (w.stoppedAfterMs !== undefined) findings.push(tooComplex(file, w.stoppedAfterMs, { checked: w.results.length, total: w.chunks.length }));
    findings.sort((a, b) => a.line - b.line || a.column - b.column);
    return { findings, cache: new DocumentCache(file, optionsKey(options), w.entries, w.stats) };
  }

  function readCrds(sources: readonly CrdSource[]): Map<string, WorkspaceCrd> {
    const found = new Map<string, WorkspaceCrd>();
    for (const src of sources) {
      if (!src.text.includes('CustomResourceDefinition')) continue;
      for (const chunk of splitDocuments(src.text)) {
        if (!chunk.text.includes('CustomResourceDefinition')) continue;
        let doc: Document.Parsed;
        try {
          doc = parseChunk(chunk.text).doc;
        } catch {
          continue; // too deep: not a CRD anyone can apply either
        }
        if (doc.errors.length) continue;
        const { value } = documentValue(doc, chunk.text, { dropNulls: true });
        const crd = crdFromObject(value, src.file);
        if (crd && !found.has(`${crd.group}/${crd.kind}`)) found.set(`${crd.group}/${crd.kind}`, crd);
      }
    }
    return found;
  }

  return {
    setCustomResourceDefinitions(sources) {
      workspaceCrds = readCrds(sources);
      crdGeneration++;
      resolutions.clear();
      return [...workspaceCrds.keys()];
    },
    lintYaml(text, file, options = {}) {
      return this.lintIncremental(undefined, text, file, options).findings;
    },
    lintIncremental(prev, text, file, options = {}) {
      const w = begin(prev, text, file, options);
      for (let i = 0; i < w.chunks.length; i++) {
        step(w, i, options);
        if (!inBudget(w, i)) break;
      }
      return finish(w, file, options);
    },
    async lintYamlAsync(text, file, options = {}, prev) {
      const yieldFn = options.yieldFn ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
      const sliceMs = options.sliceMs ?? 8;
      let sliceStart = performance.now();
      const w = begin(prev, text, file, options);
      for (let i = 0; i < w.chunks.length; i++) {
        step(w, i, options);
        if (!inBudget(w, i)) break;
        if (performance.now() - sliceStart >= sliceMs) {
          await yieldFn();
          sliceStart = performance.now();
        }
      }
      return finish(w, file, options);
    },
  };
}

/** Once per file: the documents no schema covers (custom resources without a known CRD). */
function uncheckedFinding(list: { u: Unchecked; offset: number }[]): RawFinding {
  const first = list[0]!;
  const kinds = new Map<string, number[]>();
  for (const { u, offset } of list) {
    const k = `${clip(u.apiVersion, 80)} ${clip(u.kind, 80)}`;
    const lines = kinds.get(k) ?? [];
    lines.push(u.range.line + offset);
    kinds.set(k, lines);
  }
  const what = [...kinds.entries()].map(([k, lines]) => `${k} (line${lines.length > 1 ? 's' : ''} ${listed(lines.map(String), 5)})`);
  const n = list.length;
  return {
    ...shift(first.u.range, first.offset),
    severity: 'info',
    rule: 'unchecked',
    message: `${n === 1 ? '1 document is' : `${n} documents are`} not schema-checked, for lack of a schema: ${listed(what, 5, '; ')}. Add the CustomResourceDefinition to the workspace to have ${n === 1 ? 'it' : 'them'} checked.`,
  };
}

function shift<T extends Range>(r: T, offset: number): T {
  return offset ? { ...r, line: r.line + offset, endLine: r.endLine + offset } : { ...r };
}

function place(f: RawFinding, file: string, offset: number): Finding {
  const { fix, ...rest } = f;
  const out: Finding = { file, ...shift(rest, offset) };
  if (out.message.length > MESSAGE_MAX) out.message = clip(out.message, MESSAGE_MAX);
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

