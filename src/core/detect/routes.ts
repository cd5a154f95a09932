// HTTP routes the served app defines, so probes can use its own health route and a smoke test
// its predict route. Reads the entrypoint and the local modules it imports (bounded), with a
// small linear tokenizer: no regular expression ever runs over the source, nothing backtracks,
// and every look-ahead is capped, so a hostile file costs time in proportion to its size.
//
// Recognised: decorators `@<obj>.get/post/put/delete/patch/head/options/route/api_route("/p",
// methods=[...])` (FastAPI, Flask, Starlette-style routers, blueprints), the calls
// `<obj>.add_api_route("/p", ...)` and `<obj>.add_url_rule("/p", ...)`, router prefixes
// (`APIRouter(prefix=...)`, `Blueprint(..., url_prefix=...)`, `include_router(r, prefix=...)`,
// `register_blueprint(bp, url_prefix=...)`). Only string literals count: a computed path is skipped.
import { join } from 'node:path';
import type { DetectFs } from './fs';

export interface Route {
  /** As the server answers it, prefixes applied, e.g. `/healthz`. */
  path: string;
  /** Upper-case HTTP methods (GET when the declaration names none). */
  methods: string[];
  /** Project-relative file with the declaration, `/` separators. */
  file: string;
  /** 1-based line of the declaration. */
  line: number;
}

type TokKind = 'name' | 'str' | 'fstr' | 'op' | 'nl' | 'num';
interface Tok {
  kind: TokKind;
  value: string;
  line: number;
}

const MAX_TOKENS = 400_000;
/** Tokens one call's arguments may span; a longer (or unclosed) call is skipped. */
const MAX_ARG_TOKENS = 2_000;

function isNameStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c > '\u007f';
}
function isNameChar(c: string): boolean {
  return isNameStart(c) || (c >= '0' && c <= '9');
}

/** Python tokens, enough for declarations: names, strings (decoded), single-char operators, logical line ends. */
export function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  let line = 1;
  let depth = 0;
  const n = src.length;
  while (i < n && out.length < MAX_TOKENS) {
    const c = src[i]!;
    if (c === '\n') {
      if (depth === 0 && out.length && out[out.length - 1]!.kind !== 'nl') out.push({ kind: 'nl', value: '', line });
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '\\' && (src[i + 1] === '\n' || (src[i + 1] === '\r' && src[i + 2] === '\n'))) {
      // An explicit line continuation: the logical line goes on.
      i += src[i + 1] === '\n' ? 2 : 3;
      line++;
      continue;
    }
    if (c === '#') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    // String literal, with an optional prefix (r, b, u, f and pairs).
    let j = i;
    while (j < n && j - i < 2 && 'rRbBuUfF'.includes(src[j]!)) j++;
    const q = src[j];
    if ((q === '"' || q === "'") && (j === i || !isNameChar(src[i - 1] ?? ' '))) {
      const prefix = src.slice(i, j).toLowerCase();
      const triple = src.startsWith(q.repeat(3), j);
      const close = triple ? q.repeat(3) : q;
      const startLine = line;
      let k = j + close.length;
      let value = '';
      const raw = prefix.includes('r');
      while (k < n) {
        const ch = src[k]!;
        if (src.startsWith(close, k)) break;
        if (ch === '\n') {
          line++;
          if (!triple) break; // unterminated single-quoted string: ends at the line
        }
        if (ch === '\\' && k + 1 < n) {
          const next = src[k + 1]!;
          if (next === '\n') line++;
          value += raw ? ch + next : next === 'n' ? '\n' : next === 't' ? '\t' : next;
          k += 2;
          continue;
        }
        value += ch;
        k++;
      }
      out.push({ kind: prefix.includes('f') ? 'fstr' : 'str', value, line: startLine });
      i = src.startsWith(close, k) ? k + close.length : k;
      continue;
    }
    if (isNameStart(c)) {
      let k = i + 1;
      while (k < n && isNameChar(src[k]!)) k++;
      out.push({ kind: 'name', value: src.slice(i, k), line });
      i = k;
      continue;
    }
    if (c >= '0' && c <= '9') {
      let k = i + 1;
      while (k < n && (isNameChar(src[k]!) || src[k] === '.')) k++;
      out.push({ kind: 'num', value: src.slice(i, k), line });
      i = k;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    out.push({ kind: 'op', value: c, line });
    i++;
  }
  return out;
}

interface Arg {
  key: string | null;
  toks: Tok[];
}

/** Arguments of the call whose `(` is at `open`; null when it does not close within the cap. */
function callArgs(toks: Tok[], open: number): { args: Arg[]; end: number } | null {
  const args: Arg[] = [];
  let cur: Tok[] = [];
  let depth = 0;
  const last = Math.min(toks.length, open + MAX_ARG_TOKENS);
  const push = (): void => {
    if (!cur.length) return;
    const keyed = cur.length >= 2 && cur[0]!.kind === 'name' && cur[1]!.value === '=' && cur[2]?.value !== '=';
    args.push(keyed ? { key: cur[0]!.value, toks: cur.slice(2) } : { key: null, toks: cur });
    cur = [];
  };
  for (let k = open; k < last; k++) {
    const t = toks[k]!;
    if (t.kind === 'op' && (t.value === '(' || t.value === '[' || t.value === '{')) {
      depth++;
      if (depth === 1) continue;
    } else if (t.kind === 'op' && (t.value === ')' || t.value === ']' || t.value === '}')) {
      depth--;
      if (depth === 0) {
        push();
        return { args, end: k };
      }
    } else if (depth === 1 && t.kind === 'op' && t.value === ',') {
      push();
      continue;
    }
    cur.push(t);
  }
  return null;
}

/** A string literal (implicit concatenation included), or null for anything computed. */
function literal(toks: Tok[]): string | null {
  if (!toks.length || toks.some((t) => t.kind !== 'str')) return null;
  return toks.map((t) => t.value).join('');
}

function stringList(toks: Tok[]): string[] {
  return toks.filter((t) => t.kind === 'str').map((t) => t.value.toUpperCase());
}

/** A dotted name ending at `end` (inclusive): `api.router` → ['api', 'router']. */
function chainBefore(toks: Tok[], end: number): { names: string[]; start: number } {
  const names: string[] = [];
  let k = end;
  while (k >= 0 && toks[k]!.kind === 'name') {
    names.unshift(toks[k]!.value);
    if (k >= 2 && toks[k - 1]!.value === '.' && toks[k - 2]!.kind === 'name') k -= 2;
    else break;
  }
  return { names, start: k };
}

const VERBS = new Set(['get', 'post', 'put', 'delete', 'patch', 'head', 'options', 'trace']);

export interface ScanResult {
  /** Routes with their object (last name of the receiver) and the file's own router prefix applied. */
  routes: Array<Route & { object: string }>;
  /** Object name → prefix given where a router is included (`include_router(x, prefix=...)`). */
  includePrefixes: Map<string, string>;
  /** Local alias → imported name (`from .health import router as health_router`). */
  aliases: Map<string, string>;
  /** Modules imported, as written: `.health`, `api.routes`, with the names imported from them. */
  imports: { module: string; names: string[] }[];
}

/** Scans one Python source. Pure and linear in the text. */
export function scanPythonRoutes(src: string, file: string): ScanResult {
  const toks = tokenize(src);
  const routes: ScanResult['routes'] = [];
  const ctorPrefixes = new Map<string, string>();
  const includePrefixes = new Map<string, string>();
  const aliases = new Map<string, string>();
  const imports: ScanResult['imports'] = [];
  const keyword = (args: Arg[], ...keys: string[]): Arg | undefined => args.find((a) => a.key !== null && keys.includes(a.key));

  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    const lineStart = k === 0 || toks[k - 1]!.kind === 'nl';
    if (lineStart && t.kind === 'name' && (t.value === 'import' || t.value === 'from')) {
      // import a.b as c, d   |   from .a.b import (c as d, e)
      let m = k + 1;
      let module = '';
      const names: string[] = [];
      if (t.value === 'from') {
        while (m < toks.length && (toks[m]!.value === '.' || toks[m]!.kind === 'name') && toks[m]!.value !== 'import') module += toks[m++]!.value;
        m++; // import
      }
      for (; m < toks.length && toks[m]!.kind !== 'nl' && m < k + MAX_ARG_TOKENS; m++) {
        const u = toks[m]!;
        if (u.kind !== 'name') continue;
        if (u.value === 'as') {
          const alias = toks[m + 1];
          const original = names[names.length - 1];
          if (alias?.kind === 'name' && original) aliases.set(alias.value, original.split('.').pop()!);
          m++;
          continue;
        }
        if (t.value === 'import') {
          // Dotted module: collect `a.b.c`.
          let dotted = u.value;
          while (toks[m + 1]?.value === '.' && toks[m + 2]?.kind === 'name') {
            dotted += `.${toks[m + 2]!.value}`;
            m += 2;
          }
          imports.push({ module: dotted, names: [] });
          names.push(dotted);
        } else names.push(u.value);
      }
      if (t.value === 'from' && module) imports.push({ module, names });
      k = m - 1;
      continue;
    }
    if (lineStart && t.kind === 'op' && t.value === '@') {
      // @obj.verb("/path", ...)
      let m = k + 1;
      while (m + 2 < toks.length && toks[m]!.kind === 'name' && toks[m + 1]!.value === '.' && toks[m + 2]!.kind === 'name') m += 2;
      const verb = toks[m];
      const open = toks[m + 1];
      if (!verb || verb.kind !== 'name' || open?.value !== '(' || m === k + 1) continue;
      const object = toks[m - 2]!.value;
      const v = verb.value;
      if (!VERBS.has(v) && v !== 'route' && v !== 'api_route') continue;
      const call = callArgs(toks, m + 1);
      if (!call) continue;
      const pathArg = call.args.find((a) => a.key === null) ?? keyword(call.args, 'path', 'rule');
      const path = pathArg ? literal(pathArg.toks) : null;
      if (path === null || !path.startsWith('/')) continue;
      const methodsArg = keyword(call.args, 'methods');
      const methods = VERBS.has(v) ? [v.toUpperCase()] : methodsArg ? stringList(methodsArg.toks) : ['GET'];
      routes.push({ path, methods: methods.length ? methods : ['GET'], file, line: t.line, object });
      k = call.end;
      continue;
    }
    if (t.kind === 'op' && t.value === '(' && k > 0 && toks[k - 1]!.kind === 'name') {
      const callee = toks[k - 1]!.value;
      const chain = chainBefore(toks, k - 1);
      if (callee === 'add_api_route' || callee === 'add_url_rule') {
        const call = callArgs(toks, k);
        if (!call) continue;
        const pathArg = call.args.find((a) => a.key === null) ?? keyword(call.args, 'path', 'rule');
        const path = pathArg ? literal(pathArg.toks) : null;
        const object = chain.names[chain.names.length - 2];
        if (path?.startsWith('/') && object) {
          const methodsArg = keyword(call.args, 'methods');
          const methods = methodsArg ? stringList(methodsArg.toks) : ['GET'];
          routes.push({ path, methods: methods.length ? methods : ['GET'], file, line: toks[chain.start]!.line, object });
        }
        k = call.end;
      } else if (callee === 'include_router' || callee === 'register_blueprint') {
        const call = callArgs(toks, k);
        if (!call) continue;
        const target = call.args.find((a) => a.key === null) ?? keyword(call.args, 'router', 'blueprint');
        const prefixArg = keyword(call.args, 'prefix', 'url_prefix');
        const prefix = prefixArg ? literal(prefixArg.toks) : null;
        const names = target?.toks.filter((x) => x.kind === 'name') ?? [];
        const name = names[names.length - 1]?.value;
        if (name && prefix) includePrefixes.set(name, prefix);
        k = call.end;
      } else if ((callee === 'APIRouter' || callee === 'Blueprint') && chain.start >= 2 && toks[chain.start - 1]!.value === '=' && toks[chain.start - 2]!.kind === 'name') {
        const call = callArgs(toks, k);
        if (!call) continue;
        const prefixArg = keyword(call.args, 'prefix', 'url_prefix');
        const prefix = prefixArg ? literal(prefixArg.toks) : null;
        if (prefix) ctorPrefixes.set(toks[chain.start - 2]!.value, prefix);
        k = call.end;
      }
    }
  }
  for (const r of routes) {
    const prefix = ctorPrefixes.get(r.object);
    if (prefix) r.path = joinPath(prefix, r.path);
  }
  return { routes, includePrefixes, aliases, imports };
}

function joinPath(prefix: string, path: string): string {
  const p = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return `${p}${path === '/' && p ? '' : path}` || '/';
}

// ---------------------------------------------------------------- files

/** Scans by project-relative file (null: not readable), kept by a detector between runs. */
export type RouteScans = Map<string, ScanResult | null>;

export interface RouteOptions {
  /** Python files read in all, the entrypoint included (default 16). */
  maxFiles?: number;
  /** Larger files are skipped (default 1 MiB). */
  maxFileBytes?: number;
  /** Earlier scans to reuse; the caller drops them when Python files change. */
  cache?: RouteScans;
}

function posixDir(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** Project-relative candidates for a module imported from `fromFile`. */
function moduleCandidates(module: string, names: string[], fromFile: string): string[] {
  const out: string[] = [];
  let level = 0;
  while (module[level] === '.') level++;
  const dotted = module.slice(level);
  const parts = dotted ? dotted.split('.') : [];
  const bases: string[] = [];
  if (level > 0) {
    let dir = posixDir(fromFile);
    for (let l = 1; l < level; l++) dir = posixDir(dir);
    bases.push(dir);
  } else {
    // Script-style imports resolve next to the entrypoint; package-style from the project root.
    bases.push(posixDir(fromFile), '');
  }
  for (const base of [...new Set(bases)]) {
    const stem = [base, ...parts].filter(Boolean).join('/');
    if (stem) out.push(`${stem}.py`, `${stem}/__init__.py`);
    // `from pkg import routes`: `routes` may itself be a module.
    for (const name of names) out.push(`${[stem, name].filter(Boolean).join('/')}.py`);
  }
  return out;
}

/**
 * The routes of the app served from `entry` (project-relative): the entrypoint and the local
 * modules it imports, breadth first, at most `maxFiles` files. Files are read only when they are
 * regular files whose real path lies inside the project (no symlink leads out).
 */
export async function findRoutes(fs: DetectFs, root: string, entry: string, options: RouteOptions = {}): Promise<Route[]> {
  const maxFiles = options.maxFiles ?? 16;
  const maxBytes = options.maxFileBytes ?? 1024 * 1024;
  let realRoot: string;
  try {
    realRoot = await fs.realpath(root);
  } catch {
    return [];
  }
  const inside = async (rel: string): Promise<boolean> => {
    if (rel.split('/').some((p) => p === '..' || p === '')) return false;
    const abs = join(root, ...rel.split('/'));
    const st = await fs.lstat(abs).catch(() => null);
    if (st?.type !== 'file') return false;
    const real = await fs.realpath(abs).catch(() => null);
    return real !== null && (real === realRoot || real.startsWith(`${realRoot}/`) || real.startsWith(`${realRoot}\\`));
  };
  const scans: ScanResult[] = [];
  const seen = new Set<string>([entry]);
  const queue = [entry];
  const scanFile = async (rel: string): Promise<ScanResult | null> => {
    if (!(await inside(rel))) return null;
    const r = await fs.readFile(join(root, ...rel.split('/')), maxBytes).catch(() => null);
    return r?.ok ? scanPythonRoutes(r.text, rel) : null;
  };
  while (queue.length && scans.length < maxFiles) {
    const rel = queue.shift()!;
    let scan = options.cache?.get(rel);
    if (scan === undefined) {
      scan = await scanFile(rel);
      options.cache?.set(rel, scan);
    }
    if (!scan) continue;
    scans.push(scan);
    for (const imp of scan.imports) {
      for (const c of moduleCandidates(imp.module, imp.names, rel)) {
        if (!seen.has(c)) {
          seen.add(c);
          queue.push(c);
        }
      }
    }
  }
  // A router included with a prefix: match by name, through the includer's import aliases.
  const prefixes = new Map<string, string>();
  for (const s of scans) {
    for (const [name, prefix] of s.includePrefixes) prefixes.set(s.aliases.get(name) ?? name, prefix);
  }
  const out: Route[] = [];
  const keys = new Set<string>();
  for (const s of scans) {
    for (const r of s.routes) {
      const prefix = prefixes.get(r.object);
      const path = prefix ? joinPath(prefix, r.path) : r.path;
      const key = `${r.methods.join(',')} ${path}`;
      if (keys.has(key)) continue;
      keys.add(key);
      out.push({ path, methods: r.methods, file: r.file, line: r.line });
    }
  }
  return out;
}
