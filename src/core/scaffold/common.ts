// Pieces shared by every runtime: file actions, artifact mounts, resources, compose, Kubernetes.
import type { Artifact } from '../detect/types';
import { dockerfileText, dockerignorePattern, runSteps, shellWord } from './escape';
import { render, type TemplateContext, type TemplateValue } from './render';
import type { TemplateSource } from './templates';
import type { FileAction, PlannedFile, ScaffoldOutputs } from './types';
import { renderYaml } from './yamlRender';

export function posixDirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

export function posixBasename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/**
 * Renders a template by its format. YAML templates are filled as data (yamlRender.ts). Every other
 * output is line-oriented (Dockerfile, .dockerignore, properties, pbtxt, Python): there a value
 * with a line break could start a new instruction or statement, so such a value is refused. The
 * per-instruction quoting (escape.ts) happens before, in code; this is the backstop that also
 * holds for a user's own template overrides.
 */
export function renderTemplate(t: TemplateSource, name: string, ctx: TemplateContext): string {
  const partials = (partial: string): string => t.read(partial);
  if (/\.ya?ml\.tmpl$/.test(name)) return renderYaml(t.read(name), ctx, name, partials);
  return render(t.read(name), ctx, name, partials, {
    value: (v, key, template) => (typeof v === 'string' ? dockerfileText(`the value of {{${key}}} in ${template}`, v) : String(v)),
  });
}

export function fileAction(
  path: string,
  content: string,
  existing: ((relPath: string) => string | undefined) | undefined,
  force: boolean,
  userCode: boolean,
): FileAction {
  const current = existing?.(path);
  if (current === undefined) return 'create';
  if (current === content) return 'unchanged';
  // User code (serve.py) is never replaced, --force or not.
  if (userCode) return 'skip';
  return force ? 'overwrite' : 'skip';
}

export class FileSet {
  readonly files: PlannedFile[] = [];
  constructor(
    private readonly existing: ((relPath: string) => string | undefined) | undefined,
    private readonly force: boolean,
  ) {}
  add(path: string, content: string, userCode = false): void {
    this.files.push({ path, content, action: fileAction(path, content, this.existing, this.force, userCode) });
  }
}

// ---------------------------------------------------------------- model artifacts

/** A read-only bind mount in compose's long syntax (no `src:dst:mode` string to split on colons). */
export interface BindMount {
  /** Relative to the compose file, `./` first. */
  source: string;
  target: string;
}

export interface ModelMount {
  /** Folder the artifacts share, relative to the project ('' = project root). */
  root: string;
  composeVolumes: BindMount[];
  /** Shell command that points the code's own paths at /models (run as root in the image). */
  links: string | null;
  /** Container path of each artifact when mounted. */
  containerPath: Map<string, string>;
}

function commonDir(paths: string[]): string {
  const split = paths.map((p) => posixDirname(p).split('/').filter(Boolean));
  const first = split[0] ?? [];
  let n = first.length;
  for (const s of split) {
    let i = 0;
    while (i < n && s[i] === first[i]) i++;
    n = i;
  }
  return first.slice(0, n).join('/');
}

/** How artifacts reach /models when they are not baked into the image. */
export function modelMount(artifacts: Artifact[], appDir = '/app'): ModelMount | null {
  if (artifacts.length === 0) return null;
  const root = commonDir(artifacts.map((a) => a.file));
  const rel = (f: string): string => (root ? f.slice(root.length + 1) : f);
  const containerPath = new Map(artifacts.map((a) => [a.file, `/models/${rel(a.file)}`]));
  const composeVolumes = root
    ? [{ source: `./${root}`, target: '/models' }]
    : artifacts.map((a) => ({ source: `./${a.file}`, target: `/models/${a.file}` }));
  const cmds = ['mkdir -p /models'];
  const what = 'the model artifact path';
  for (const a of artifacts) {
    const dir = posixDirname(a.file);
    // Absolute paths only: no word can start with `-` and read as an option of mkdir or ln.
    if (dir) cmds.push(`mkdir -p ${shellWord(what, `${appDir}/${dir}`)}`);
    cmds.push(`ln -sfn ${shellWord(what, `/models/${rel(a.file)}`)} ${shellWord(what, `${appDir}/${a.file}`)}`);
  }
  return { root, composeVolumes, links: runSteps(cmds), containerPath };
}

// ---------------------------------------------------------------- resources

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export function resourcesFor(gpu: boolean, artifactBytes: number): Resources {
  const gib = 1024 ** 3;
  // The model is held in memory at least once; leave room for a copy while loading.
  const modelGi = Math.ceil((artifactBytes * 2) / gib);
  const reqMem = Math.max(gpu ? 8 : 1, modelGi);
  const limMem = Math.max(gpu ? 16 : 4, reqMem * 2);
  return {
    requests: { cpu: gpu ? '1' : '500m', memory: `${reqMem}Gi` },
    limits: { cpu: gpu ? '4' : '2', memory: `${limMem}Gi` },
  };
}

export function pvcStorage(artifactBytes: number): string {
  return `${Math.max(1, Math.ceil((artifactBytes * 1.5) / 1024 ** 3))}Gi`;
}

// ---------------------------------------------------------------- deployment outputs

export interface PortSpec {
  name: string;
  port: number;
}

export interface ContainerSpec {
  name: string;
  image: string;
  ports: PortSpec[];
  /**
   * null = no probes (scripts). `path` serves the startup and liveness probes, and readiness
   * unless `ready` names another path or a command (a server that answers before it is ready).
   */
  probe: { http: boolean; path: string; portName: string; ready?: { path: string } | { command: string[] } } | null;
  env: { name: string; value: string }[];
  /** Container args for Kubernetes (compose uses the image's CMD). */
  args: string[];
  runAsUser: number;
  serving: boolean;
  gpu: boolean;
  gpuCount: number;
  deviceIds: string[] | null;
  shm: boolean;
  resources: Resources;
  nodeSelector: Record<string, string>;
  /** Compose healthcheck `test` (exec form, without the leading CMD). */
  healthTest: string[] | null;
  composeVolumes: BindMount[];
  /** Kubernetes: PVC with the weights and where it is mounted. */
  pvc: { claim: string; mountPath: string; storage: string; layoutHint: string } | null;
  layout: { context: string; dockerfile: string };
  /** Pod template annotations of the Deployment (Prometheus scrape annotations), in order. */
  podAnnotations?: { key: string; value: string }[];
}

type ProbeAction = { http: boolean; tcp: boolean; exec: { command: string[] } | null; path: string; portName: string };

function probeContext(p: NonNullable<ContainerSpec['probe']>): TemplateContext {
  const live: ProbeAction = { http: p.http, tcp: !p.http, exec: null, path: p.path, portName: p.portName };
  const ready: ProbeAction = !p.ready
    ? live
    : 'command' in p.ready
      ? { http: false, tcp: false, exec: { command: [...p.ready.command] }, path: '', portName: p.portName }
      : { http: true, tcp: false, exec: null, path: p.ready.path, portName: p.portName };
  return { startup: { ...live }, ready: { ...ready, exec: ready.exec ? { command: [...ready.exec.command] } : null }, live: { ...live } };
}

function podContext(s: ContainerSpec, job: boolean): TemplateContext {
  const mounts: TemplateValue[] = [];
  const volumes: TemplateValue[] = [];
  if (s.pvc) {
    mounts.push({ name: 'models', mountPath: s.pvc.mountPath, readOnly: true });
    volumes.push({ name: 'models', claim: s.pvc.claim, shm: null });
  }
  if (s.shm) {
    mounts.push({ name: 'dshm', mountPath: '/dev/shm', readOnly: false });
    volumes.push({ name: 'dshm', claim: null, shm: s.gpu ? '8Gi' : '2Gi' });
  }
  const selector = Object.entries(s.nodeSelector).map(([key, value]) => ({ key, value }));
  return {
    name: s.name,
    image: s.image,
    job,
    gpu: s.gpu,
    gpuCount: s.gpuCount,
    runAsUser: s.runAsUser,
    hasNodeSelector: selector.length > 0,
    nodeSelector: selector,
    hasArgs: s.args.length > 0,
    args: [...s.args],
    hasPorts: !job && s.ports.length > 0,
    ports: s.ports.map((p) => ({ name: p.name, port: p.port })),
    hasEnv: s.env.length > 0,
    env: s.env.map((e) => ({ name: e.name, value: e.value })),
    requests: { ...s.resources.requests },
    limits: { ...s.resources.limits },
    probe: !job && s.probe ? probeContext(s.probe) : null,
    hasMounts: mounts.length > 0,
    mounts,
    hasVolumes: volumes.length > 0,
    volumes,
    hasPodAnnotations: !job && (s.podAnnotations?.length ?? 0) > 0,
    podAnnotations: (s.podAnnotations ?? []).map((a) => ({ key: a.key, value: a.value })),
  };
}

export function composeFile(t: TemplateSource, s: ContainerSpec): string {
  return renderTemplate(t, 'common/compose.yaml.tmpl', {
    name: s.name,
    context: s.layout.context,
    dockerfile: s.layout.dockerfile,
    image: s.image,
    hasPorts: s.serving && s.ports.length > 0,
    ports: s.ports.map((p) => ({ port: p.port })),
    hasEnv: s.env.length > 0,
    env: s.env.map((e) => ({ name: e.name, value: e.value })),
    hasVolumes: s.composeVolumes.length > 0,
    volumes: s.composeVolumes.map((v) => ({ source: v.source, target: v.target })),
    healthcheck: s.healthTest ? { test: ['CMD', ...s.healthTest] } : null,
    shmSize: s.shm ? (s.gpu ? '8gb' : '2gb') : null,
    gpu: s.gpu ? { count: s.deviceIds ? null : s.gpuCount, hasDeviceIds: s.deviceIds !== null, deviceIds: s.deviceIds ? [...s.deviceIds] : [] } : null,
    restart: s.serving,
  });
}

export function kubernetesFiles(t: TemplateSource, s: ContainerSpec, files: FileSet): void {
  if (!s.serving) {
    files.add('k8s/job.yaml', renderTemplate(t, 'common/k8s/job.yaml.tmpl', podContext(s, true)));
  } else {
    files.add('k8s/deployment.yaml', renderTemplate(t, 'common/k8s/deployment.yaml.tmpl', podContext(s, false)));
    files.add('k8s/service.yaml', renderTemplate(t, 'common/k8s/service.yaml.tmpl', { name: s.name, ports: s.ports.map((p) => ({ ...p })) }));
    files.add('k8s/hpa.yaml', renderTemplate(t, 'common/k8s/hpa.yaml.tmpl', { name: s.name, gpu: s.gpu, maxReplicas: s.gpu ? 2 : 3 }));
  }
  if (s.pvc) files.add('k8s/pvc.yaml', pvcFile(t, s.name, s.pvc));
}

export function pvcFile(t: TemplateSource, name: string, pvc: NonNullable<ContainerSpec['pvc']>): string {
  return renderTemplate(t, 'common/k8s/pvc.yaml.tmpl', { name, ...pvc });
}

export interface KserveSpec {
  modelFormat: string | null;
  runtimeName: string | null;
  storageUri: string;
  storageComment: string;
  kindComment: string;
}

export function kserveFile(t: TemplateSource, s: ContainerSpec, k: KserveSpec): string {
  const selector = Object.entries(s.nodeSelector).map(([key, value]) => ({ key, value }));
  return renderTemplate(t, 'common/k8s/kserve.yaml.tmpl', {
    name: s.name,
    kindComment: k.kindComment,
    hasNodeSelector: selector.length > 0,
    nodeSelector: selector,
    gpu: s.gpu,
    gpuCount: s.gpuCount,
    modelFormat: k.modelFormat,
    runtimeName: k.runtimeName,
    storageComment: k.storageComment,
    storageUri: k.storageUri,
    image: s.image,
    port: s.ports[0]?.port ?? 8080,
    requests: { ...s.resources.requests },
    limits: { ...s.resources.limits },
  });
}

// ---------------------------------------------------------------- .dockerignore

function patternMatches(pattern: string, path: string): boolean {
  const p = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
  if (/[*?[]/.test(p.replace(/^\*\*\//, ''))) return false;
  if (p.startsWith('**/')) {
    const rest = p.slice(3);
    return path === rest || path.startsWith(`${rest}/`) || path.endsWith(`/${rest}`) || path.includes(`/${rest}/`);
  }
  return path === p || path.startsWith(`${p}/`);
}

/**
 * Renders .dockerignore and drops any pattern that would hide a file the Dockerfile COPYs
 * (or the Dockerfile itself), so the ignore file can never break the build.
 */
export function dockerignoreFile(
  t: TemplateSource,
  opts: { artifacts: string[]; generated: string[]; mustKeep: string[] },
  notes: string[],
): string {
  const text = renderTemplate(t, 'common/dockerignore.tmpl', {
    artifacts: opts.artifacts.map((a) => dockerignorePattern('the model artifact path', a)),
    generated: opts.generated.map((g) => dockerignorePattern('the generated path', g)),
    hasArtifacts: opts.artifacts.length > 0,
    hasGenerated: opts.generated.length > 0,
  });
  const keep = ['Dockerfile', '.dockerignore', ...opts.mustKeep];
  return text
    .split('\n')
    .filter((line) => {
      const s = line.trim();
      if (!s || s.startsWith('#') || s.startsWith('!')) return true;
      const hit = keep.find((k) => patternMatches(s, k));
      if (hit) notes.push(`.dockerignore: left out '${s}' because the Dockerfile copies ${hit}.`);
      return !hit;
    })
    .join('\n');
}

export function outputsWith(o: Partial<ScaffoldOutputs> | undefined, defaults: ScaffoldOutputs): ScaffoldOutputs {
  return { ...defaults, ...(o ?? {}) };
}
