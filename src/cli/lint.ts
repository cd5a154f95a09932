// `modeldock lint PATH... [--json]`: Kubernetes/compose YAML and Dockerfiles, files or folders.
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { parseArgs, UsageError } from './io';
import type { CliIo } from './io';
import { createLinter, lintDockerfile } from '../core/lint';
import type { Finding, ProjectPins } from '../core/lint';

const USAGE = `usage: modeldock lint PATH... [--json]

Validates Kubernetes manifests and compose files (*.yaml, *.yml) against bundled schemas and
ML rules, and Dockerfiles (Dockerfile, *.Dockerfile, Dockerfile.*) against the CUDA needs of
the torch/TensorFlow versions pinned in the project. Folders are searched recursively
(node_modules and .git are skipped).

  --json    print { "findings": [ { file, line, column, endLine, endColumn, severity, rule, message } ] }

Exit status: 1 when any finding is an error, 0 otherwise, 2 on usage errors.`;

const SKIP_DIRS = new Set(['node_modules', '.git']);

export function isYamlFile(name: string): boolean {
  return /\.ya?ml$/i.test(name);
}

export function isDockerfile(name: string): boolean {
  return /^Dockerfile(\..+)?$/i.test(name) || /\.Dockerfile$/i.test(name);
}

async function collect(dir: string, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = resolve(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name)) await collect(p, out);
    } else if (e.isFile() && (isYamlFile(e.name) || isDockerfile(e.name))) out.push(p);
  }
}

function display(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
  return shown.split(sep).join('/');
}

/** Pins from the project around a Dockerfile (its folder), via the detection engine. */
async function pinsFor(dir: string, cache: Map<string, Promise<ProjectPins>>): Promise<ProjectPins> {
  let p = cache.get(dir);
  if (!p) {
    p = (async () => {
      try {
        const { detectProject } = await import('../core/detect');
        const result = await detectProject(dir);
        const pins: ProjectPins = {};
        for (const f of result.frameworks) {
          if (f.name === 'pytorch' && f.version) pins.pytorch = f.version;
          if (f.name === 'tensorflow' && f.version) pins.tensorflow = f.version;
        }
        return pins;
      } catch {
        // No readable project (or detection failed): the rule simply has nothing to compare.
        return {};
      }
    })();
    cache.set(dir, p);
  }
  return p;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, { boolean: ['json', 'help'], string: [] });
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`modeldock lint: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (args.flags.has('help')) {
    io.out(USAGE);
    return 0;
  }
  if (args.positionals.length === 0) {
    io.err(`modeldock lint: no PATH given\n\n${USAGE}`);
    return 2;
  }
  const files: string[] = [];
  for (const p of args.positionals) {
    const abs = resolve(io.cwd, p);
    let st;
    try {
      st = await stat(abs);
    } catch {
      io.err(`modeldock lint: no such file or folder: ${p}`);
      return 2;
    }
    if (st.isDirectory()) await collect(abs, files);
    else files.push(abs);
  }

  const linter = createLinter();
  const { cudaCompat } = await import('../core/cuda');
  const pinCache = new Map<string, Promise<ProjectPins>>();
  const findings: Finding[] = [];
  for (const abs of [...new Set(files)]) {
    let text: string;
    try {
      text = await readFile(abs, 'utf8');
    } catch (err) {
      io.err(`modeldock lint: cannot read ${display(io.cwd, abs)}: ${err instanceof Error ? err.message : String(err)}`);
      return 2;
    }
    const shown = display(io.cwd, abs);
    if (isDockerfile(basename(abs))) {
      findings.push(...lintDockerfile(text, shown, { pins: await pinsFor(dirname(abs), pinCache), cuda: cudaCompat }));
    } else {
      findings.push(...linter.lintYaml(text, shown));
    }
  }

  if (args.flags.has('json')) {
    const plain = findings.map(({ file, line, column, endLine, endColumn, severity, rule, message }) => ({ file, line, column, endLine, endColumn, severity, rule, message }));
    io.out(JSON.stringify({ findings: plain }, null, 2));
  } else {
    for (const f of findings) io.out(`${f.file}:${f.line}:${f.column} ${f.severity} ${f.rule} ${f.message}`);
    const count = (s: Finding['severity']): number => findings.filter((f) => f.severity === s).length;
    io.err(`${files.length} file(s) checked: ${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} info`);
  }
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}
