// `modeldock lint PATH... [--json]`: Kubernetes/compose YAML and Dockerfiles, files or folders.
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { parseArgs, UsageError } from './io';
import type { CliIo } from './io';
import { DEFAULT_KUBERNETES_VERSION, KUBERNETES_VERSIONS, createLinter, lintDockerfile, normalizeKubernetesVersion } from '../core/lint';
import type { CrdSource, Finding, ProjectPins } from '../core/lint';
import { pinsFromDetection } from '../core/lint/pins';

const USAGE = `usage: modeldock lint PATH... [--json] [--kubernetes-version X.Y] [--crds PATH]

Validates Kubernetes manifests and compose files (*.yaml, *.yml) against bundled schemas and
ML rules, and Dockerfiles (Dockerfile, *.Dockerfile, Dockerfile.*) against the CUDA needs of
the torch/TensorFlow versions pinned in the project. Folders are searched recursively
(node_modules and .git are skipped).

Built-in kinds are checked against the OpenAPI of the chosen Kubernetes version; custom resources
against the CustomResourceDefinitions found among the files (and under --crds), else against the
bundled CRDs of KServe, Kubeflow, KubeRay, Prometheus Operator, Kueue and NVIDIA's GPU Operator.

  --json                   print { "findings": [ { file, line, column, endLine, endColumn, severity, rule, message } ] }
  --kubernetes-version X.Y check against Kubernetes X.Y (${KUBERNETES_VERSIONS[0]}–${KUBERNETES_VERSIONS[KUBERNETES_VERSIONS.length - 1]}; default ${DEFAULT_KUBERNETES_VERSION})
  --crds PATH              also read CustomResourceDefinitions from PATH (a file or folder), without linting it

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
        return pinsFromDetection(result);
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
    args = parseArgs(argv, { boolean: ['json', 'help'], string: ['kubernetes-version', 'crds'] });
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
  const requested = args.flags.get('kubernetes-version');
  const kubernetesVersion = normalizeKubernetesVersion(typeof requested === 'string' ? requested : undefined);
  if (!kubernetesVersion) {
    io.err(`modeldock lint: --kubernetes-version ${String(requested)}: not a bundled Kubernetes version (${KUBERNETES_VERSIONS.join(', ')})`);
    return 2;
  }
  const crdPaths: string[] = [];
  const crdArg = args.flags.get('crds');
  if (typeof crdArg === 'string') {
    const abs = resolve(io.cwd, crdArg);
    try {
      if ((await stat(abs)).isDirectory()) await collect(abs, crdPaths);
      else crdPaths.push(abs);
    } catch {
      io.err(`modeldock lint: no such file or folder: ${crdArg}`);
      return 2;
    }
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
  // The CUDA table is for Dockerfiles only: YAML-only runs do not load it.
  const cuda = files.some((f) => isDockerfile(basename(f))) ? (await import('../core/cuda')).cudaCompat : undefined;
  const pinCache = new Map<string, Promise<ProjectPins>>();
  const findings: Finding[] = [];
  const unique = [...new Set(files)];
  const texts = new Map<string, string>();
  for (const abs of [...unique, ...crdPaths]) {
    if (texts.has(abs)) continue;
    try {
      texts.set(abs, await readFile(abs, 'utf8'));
    } catch (err) {
      io.err(`modeldock lint: cannot read ${display(io.cwd, abs)}: ${err instanceof Error ? err.message : String(err)}`);
      return 2;
    }
  }
  // CustomResourceDefinitions among the files validate the custom resources in any of them.
  const crdSources: CrdSource[] = [];
  for (const [abs, text] of texts) if (isYamlFile(abs) && text.includes('CustomResourceDefinition')) crdSources.push({ file: display(io.cwd, abs), text });
  if (crdSources.length) linter.setCustomResourceDefinitions(crdSources);
  for (const abs of unique) {
    const text = texts.get(abs)!;
    const shown = display(io.cwd, abs);
    if (isDockerfile(basename(abs))) {
      findings.push(...lintDockerfile(text, shown, { pins: await pinsFor(dirname(abs), pinCache), ...(cuda ? { cuda } : {}) }));
    } else {
      findings.push(...linter.lintYaml(text, shown, { kubernetesVersion }));
    }
  }

  if (args.flags.has('json')) {
    const plain = findings.map(({ file, line, column, endLine, endColumn, severity, rule, message }) => ({ file, line, column, endLine, endColumn, severity, rule, message }));
    io.out(JSON.stringify({ findings: plain }, null, 2));
  } else {
    for (const f of findings) io.out(`${f.file}:${f.line}:${f.column} ${f.severity} ${f.rule} ${f.message}`);
    const count = (s: Finding['severity']): number => findings.filter((f) => f.severity === s).length;
    io.err(`${unique.length} file(s) checked against Kubernetes ${kubernetesVersion}: ${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} info`);
  }
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}
