// Configs of the serving tools people move from to plain containers: Cog (`cog.yaml`), BentoML
// (`bentofile.yaml`) and Truss (`config.yaml`). Each says the Python packages, the Python version,
// whether a GPU (and which CUDA) is wanted, the system packages and the entrypoint. They are read
// as data only: a `run:` command is never run, only its `pip install` arguments are read.
import { yaml, type Document, type Node, type YAMLMap } from './yaml';
import { dirOf, emptyFacts, joinRel, loc, pythonMajorMinor, shorten, type FileFacts } from './facts';
import { parseRequirement } from './pep508';
import { applyRequirementLine, requirementFact } from './requirements';
import type { DependencyFileKind, EntrypointKind } from './types';

interface Yaml {
  root: YAMLMap;
  line(n: Node | null | undefined): number | undefined;
}

function parseYaml(text: string, facts: FileFacts, what: string): Yaml | null {
  const { isMap, LineCounter, parseDocument } = yaml();
  const lc = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  } catch {
    facts.warnings.push(`${loc(facts.file)}: invalid YAML, skipped`);
    return null;
  }
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    // The parser's message can quote the text: only its position and code are kept.
    facts.warnings.push(`${loc(facts.file, lc.linePos(e.pos[0]).line)}: invalid YAML (${e.code}), skipped`);
    return null;
  }
  if (!isMap(doc.contents)) {
    facts.warnings.push(`${loc(facts.file)}: not a ${what} (expected a mapping), skipped`);
    return null;
  }
  return { root: doc.contents, line: (n) => (n?.range ? lc.linePos(n.range[0]).line : undefined) };
}

const isMap = (n: unknown): n is YAMLMap => yaml().isMap(n);
const isSeq = (n: unknown) => yaml().isSeq(n);
const isScalar = (n: unknown) => yaml().isScalar(n);

function node(map: unknown, key: string): Node | undefined {
  return isMap(map) ? ((map.get(key, true) as Node | undefined) ?? undefined) : undefined;
}

function str(n: Node | undefined): string | undefined {
  if (!isScalar(n)) return undefined;
  const v = n.value;
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

function bool(n: Node | undefined): boolean | undefined {
  return isScalar(n) && typeof n.value === 'boolean' ? n.value : undefined;
}

function items(n: Node | undefined): Array<{ value: string; node: Node }> {
  if (!isSeq(n)) return [];
  const out: Array<{ value: string; node: Node }> = [];
  for (const it of n.items) {
    const v = str(it as Node);
    if (v !== undefined) out.push({ value: v, node: it as Node });
  }
  return out;
}

// What an apt package name may look like (Debian policy), with an optional `=version` pin. Names
// end up in `apt-get install` lines: anything else is refused, never passed on.
const DEB_PACKAGE = /^[a-z0-9][a-z0-9+.-]{0,99}(?:=[A-Za-z0-9.+:~-]{1,64})?$/;

function addSystemPackages(list: Node | undefined, y: Yaml, facts: FileFacts): void {
  for (const { value, node: n } of items(list)) {
    const name = value.trim();
    const line = y.line(n);
    if (!DEB_PACKAGE.test(name)) {
      facts.warnings.push(`${loc(facts.file, line)}: not a Debian package name, ignored`);
      continue;
    }
    (facts.systemPackages ??= []).push({ name, ...(line ? { line } : {}) });
  }
}

function addPythonPackages(list: Node | undefined, y: Yaml, facts: FileFacts): void {
  for (const { value, node: n } of items(list)) {
    const line = y.line(n);
    if (line !== undefined) applyRequirementLine(value, line, facts);
  }
}

/** A requirements file a config names (`python_requirements`, `requirements_txt`): an include. */
function addRequirementsFile(n: Node | undefined, y: Yaml, facts: FileFacts): void {
  const value = str(n)?.trim();
  const line = y.line(n);
  if (value && line !== undefined) applyRequirementLine(`-r ${value}`, line, facts);
}

function setPython(version: string | undefined, n: Node | undefined, y: Yaml, facts: FileFacts, key: string): void {
  if (!version) return;
  // Truss writes `py311`; Cog and BentoML `3.11` or `3.11.4`.
  const v = pythonMajorMinor(version.replace(/^py(\d)(\d+)$/i, '$1.$2'));
  const line = y.line(n);
  if (v) facts.python = { version: v, rank: 1, reason: shorten(`${key}: ${version}`, 60), ...(line ? { line } : {}) };
}

function cudaMajorMinor(v: string): string | null {
  const m = /^(\d{1,2})(?:\.(\d{1,2}))?/.exec(v.trim());
  if (!m) return null;
  return m[2] !== undefined ? `${m[1]}.${m[2]}` : m[1]!;
}

/** `module.path:object` or `path/file.py:object` → the file (root-relative) and the object. */
function entryRef(ref: string, baseDir: string, kind: EntrypointKind): { target: string; object?: string } | null {
  const m = /^([A-Za-z0-9_./-]+?)(?::([A-Za-z_][A-Za-z0-9_]*))?$/.exec(ref.trim());
  if (!m) return null;
  const file = m[1]!.endsWith('.py') ? m[1]! : kind === 'bentoml' ? `${m[1]!.replace(/\./g, '/')}.py` : null;
  if (!file || file.startsWith('/')) return null;
  const target = joinRel(baseDir, file);
  if (target === '..' || target.startsWith('../')) return null;
  return { target, ...(m[2] ? { object: m[2] } : {}) };
}

function addEntry(kind: EntrypointKind, ref: string | undefined, n: Node | undefined, y: Yaml, facts: FileFacts, key: string): void {
  if (!ref) return;
  const line = y.line(n) ?? 1;
  const e = entryRef(ref, dirOf(facts.file), kind);
  if (!e) {
    facts.warnings.push(`${loc(facts.file, line)}: '${key}' does not name a Python file inside the project, ignored`);
    return;
  }
  facts.entrypoints.push({ kind, line, ...e });
}

function finish(facts: FileFacts, kind: DependencyFileKind): FileFacts {
  if (facts.packages.length || facts.includes.length) facts.dependencyKind = kind;
  return facts;
}

/** The `pip install` arguments of a shell command (`pip install jax[cuda11_cudnn805] -f URL`). */
function pipInstallArgs(command: string): string[][] {
  const out: string[][] = [];
  // No shell is involved: the command is split on separators and blanks, quotes dropped.
  for (const part of command.split(/&&|\|\||;|\|/)) {
    const tokens = part.trim().split(/\s+/).map((t) => t.replace(/^["']|["']$/g, ''));
    // `pip install`, `pip3.11 install`, `/usr/bin/pip install`, `python -m pip install`, `uv pip install`.
    const at = tokens.findIndex((t, i) => t === 'install' && i > 0 && /^pip3?(?:\.\d+)?$/.test(tokens[i - 1]!.split('/').pop()!));
    if (at >= 0) out.push(tokens.slice(at + 1));
  }
  return out;
}

const PIP_OPTIONS_WITH_VALUE = new Set(['-f', '--find-links', '-i', '--index-url', '--extra-index-url', '-r', '--requirement', '-c', '--constraint', '--target', '-t', '--prefix', '--root', '--upgrade-strategy', '--python-version', '--platform', '--only-binary', '--no-binary']);

function addRunCommands(list: Node | undefined, y: Yaml, facts: FileFacts): void {
  if (!isSeq(list)) return;
  for (const it of list.items) {
    // `run:` items are strings or `{command, mounts}`.
    const command = str(it as Node) ?? str(node(it, 'command'));
    const line = y.line(it as Node);
    if (!command || line === undefined) continue;
    for (const args of pipInstallArgs(command)) {
      for (let i = 0; i < args.length; i++) {
        const a = args[i]!;
        if (a.startsWith('-')) {
          const [opt, inline] = a.split('=', 2) as [string, string | undefined];
          const value = inline ?? (PIP_OPTIONS_WITH_VALUE.has(opt) ? args[++i] : undefined);
          if ((opt === '-i' || opt === '--index-url' || opt === '--extra-index-url') && value) facts.indexUrls.push({ url: value, line });
          continue;
        }
        const req = parseRequirement(a);
        if (req && !req.url && req.name !== 'pip') facts.packages.push(requirementFact(req, a, line));
      }
    }
  }
}

/** Cog: `cog.yaml` (build.gpu, build.cuda, python_version, python_packages, python_requirements, system_packages, run; predict). */
export function parseCogYaml(text: string, file: string): FileFacts {
  const facts = emptyFacts(file);
  const y = parseYaml(text, facts, 'Cog configuration');
  if (!y) return facts;
  const build = node(y.root, 'build');
  if (isMap(build)) {
    const gpu = node(build, 'gpu');
    const g = bool(gpu);
    const gl = y.line(gpu);
    if (g === true) facts.hints.push({ gpu: true, reason: 'Cog build.gpu: true', ...(gl ? { line: gl } : {}) });
    // Only an explicit `gpu: false` says CPU: Cog's default is no GPU, and most files omit it.
    if (g === false) facts.hints.push({ cpu: true, reason: 'Cog build.gpu: false', ...(gl ? { line: gl } : {}) });
    const cudaNode = node(build, 'cuda');
    const cuda = cudaMajorMinor(str(cudaNode) ?? '');
    const cl = y.line(cudaNode);
    if (cuda) facts.hints.push({ cuda, gpu: true, reason: `Cog build.cuda: ${cuda}`, ...(cl ? { line: cl } : {}) });
    const pv = node(build, 'python_version');
    setPython(str(pv), pv, y, facts, 'python_version');
    addPythonPackages(node(build, 'python_packages'), y, facts);
    addRequirementsFile(node(build, 'python_requirements'), y, facts);
    addSystemPackages(node(build, 'system_packages'), y, facts);
    addRunCommands(node(build, 'run'), y, facts);
  }
  const predict = node(y.root, 'predict');
  addEntry('cog', str(predict), predict, y, facts, 'predict');
  return finish(facts, 'cog');
}

/** BentoML: `bentofile.yaml` (service; python.packages/requirements_txt; docker.python_version/cuda_version/system_packages). */
export function parseBentofile(text: string, file: string): FileFacts {
  const facts = emptyFacts(file);
  const y = parseYaml(text, facts, 'BentoML build file');
  if (!y) return facts;
  const python = node(y.root, 'python');
  if (isMap(python)) {
    addPythonPackages(node(python, 'packages'), y, facts);
    addRequirementsFile(node(python, 'requirements_txt'), y, facts);
    for (const key of ['index_url', 'extra_index_url']) {
      const n = node(python, key);
      const urls = isSeq(n) ? items(n) : str(n) && n ? [{ value: str(n)!, node: n }] : [];
      for (const { value, node: at } of urls) {
        const line = y.line(at);
        facts.indexUrls.push({ url: value, ...(line ? { line } : {}) });
      }
    }
  }
  const docker = node(y.root, 'docker');
  if (isMap(docker)) {
    const pv = node(docker, 'python_version');
    setPython(str(pv), pv, y, facts, 'python_version');
    const cudaNode = node(docker, 'cuda_version');
    const cuda = cudaMajorMinor(str(cudaNode) ?? '');
    const cl = y.line(cudaNode);
    if (cuda) facts.hints.push({ cuda, gpu: true, reason: `BentoML docker.cuda_version: ${cuda}`, ...(cl ? { line: cl } : {}) });
    addSystemPackages(node(docker, 'system_packages'), y, facts);
  }
  const service = node(y.root, 'service');
  addEntry('bentoml', str(service), service, y, facts, 'service');
  return finish(facts, 'bentoml');
}

// Keys only a Truss config has; a `config.yaml` without one of them is someone else's file.
const TRUSS_KEYS = ['model_name', 'model_class_name', 'model_module_dir', 'model_class_filename', 'model_metadata', 'model_framework'];
const TRUSS_HINT = /^(?:model_name|model_class_name|model_module_dir|model_class_filename|model_metadata|model_framework)\s*:/m;

/** Truss: `config.yaml` (requirements, requirements_file, python_version, system_packages, resources; model class). */
export function parseTrussConfig(text: string, file: string): FileFacts {
  const facts = emptyFacts(file);
  // config.yaml is a common name (Hydra, apps...): a cheap look for Truss keys before parsing.
  if (!TRUSS_HINT.test(text)) return facts;
  const y = parseYaml(text, facts, 'Truss configuration');
  if (!y || !TRUSS_KEYS.some((k) => y.root.has(k))) return emptyFacts(file);
  addPythonPackages(node(y.root, 'requirements'), y, facts);
  addRequirementsFile(node(y.root, 'requirements_file'), y, facts);
  const pv = node(y.root, 'python_version');
  setPython(str(pv), pv, y, facts, 'python_version');
  addSystemPackages(node(y.root, 'system_packages'), y, facts);
  const resources = node(y.root, 'resources');
  if (isMap(resources)) {
    const useGpu = node(resources, 'use_gpu');
    const accel = node(resources, 'accelerator');
    const accelName = str(accel)?.trim();
    if (bool(useGpu) === true || (accelName && !/^(?:none|cpu)$/i.test(accelName))) {
      const n = accelName ? accel : useGpu;
      const line = y.line(n);
      facts.hints.push({ gpu: true, reason: accelName ? `Truss resources.accelerator: ${shorten(accelName, 20)}` : 'Truss resources.use_gpu: true', ...(line ? { line } : {}) });
    }
  }
  const dir = str(node(y.root, 'model_module_dir'))?.trim() || 'model';
  const fileName = str(node(y.root, 'model_class_filename'))?.trim() || 'model.py';
  const cls = str(node(y.root, 'model_class_name'))?.trim() || 'Model';
  const at = node(y.root, 'model_class_name') ?? node(y.root, 'model_module_dir') ?? node(y.root, 'model_name');
  addEntry('truss', `${dir.replace(/\/+$/, '')}/${fileName}:${cls}`, at, y, facts, 'model_class_filename');
  return finish(facts, 'truss');
}
