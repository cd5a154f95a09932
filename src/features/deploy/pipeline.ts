// Deploy Model as a pipeline of steps over injected parts, free of VS Code so the integration
// tests drive the very same code against a real engine, registry and API server:
//   manifests → build → push (digest from the registry) → registry check → pin + change-cause →
//   server-side dry run → the user confirms the diff → apply → follow each Deployment's rollout.
// The feature (index.ts) supplies build/push through the Docker feature's typed API, the
// confirmation through the one prompt service with the diff through the Clusters view's
// documents, and shows the session in the Deploy view.
import { promises as fs, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { prepareManifests, repositoryOf, type PreparedManifest } from '../../core/deploy/manifests';
import { changeCause, parseRegistry, pushTarget } from '../../core/deploy/target';
import { printable } from '../../core/safePath';
import type { ManifestCheck } from '../../docker/registry';
import type { PushResult } from '../../docker/types';
import { forDiff, isKubeError, type ApplyResult, type ClusterClient, type KubeObject } from '../../kube';
import { UserError, CancelledError } from '../../platform/errors';
import { Emitter } from '../../kube/batch';
import { RolloutFollower, type RolloutSnapshot } from './follower';

export type StepName = 'manifests' | 'build' | 'push' | 'check' | 'dry-run' | 'apply' | 'rollout' | 'smoke';
export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

export interface StepState {
  readonly name: StepName;
  readonly status: StepStatus;
  readonly detail?: string;
  readonly ms?: number;
}

export const STEP_TITLES: Readonly<Record<StepName, string>> = {
  manifests: 'Manifests',
  build: 'Build',
  push: 'Push',
  check: 'Registry check',
  'dry-run': 'Server dry run',
  apply: 'Apply',
  rollout: 'Rollout',
  smoke: 'Smoke test',
};

/** Manifest files to deploy: under the project's `k8s/` folder, real paths inside the workspace. */
export interface ManifestSource {
  readonly files: readonly string[];
  readonly texts: readonly string[];
  /** The project folder: where the Dockerfile and sample request are. */
  readonly projectDir: string;
}

const MAX_MANIFEST_BYTES = 2 * 1024 * 1024;
const MAX_MANIFEST_FILES = 100;

function within(root: string, p: string): boolean {
  const r = path.relative(root, p);
  return r === '' || (!r.startsWith('..') && !path.isAbsolute(r));
}

/**
 * Reads the manifests `target` names (a `k8s/` folder, a manifest in it, or a project folder
 * that has one), refusing anything whose real path leaves the workspace root: a symlinked
 * `k8s/` or manifest pointing elsewhere is not the project's.
 */
export async function readManifests(target: string, workspaceRoot: string): Promise<ManifestSource> {
  const root = realpathSync(workspaceRoot);
  const real = await fs.realpath(target).catch(() => {
    throw new UserError(`${printable(target)} does not exist.`);
  });
  if (!within(root, real)) throw new UserError(`${printable(target)} resolves outside the workspace (${printable(real)}); ModelDock does not deploy it.`);
  const st = await fs.stat(real);
  let dir: string;
  let files: string[];
  if (st.isFile()) {
    dir = path.dirname(real);
    files = [real];
  } else {
    const k8s = path.basename(real) === 'k8s' ? real : path.join(real, 'k8s');
    const k8sReal = await fs.realpath(k8s).catch(() => {
      throw new UserError(`${printable(path.relative(root, real) || '.')} has no k8s/ folder.`, 'Generate the manifests first: "ModelDock: Containerize Model" with Kubernetes selected.');
    });
    if (!within(root, k8sReal)) throw new UserError(`k8s/ resolves outside the workspace (${printable(k8sReal)}); ModelDock does not deploy it.`);
    dir = k8sReal;
    const entries = (await fs.readdir(k8sReal, { withFileTypes: true })).filter((e) => /\.ya?ml$/i.test(e.name)).map((e) => path.join(k8sReal, e.name));
    files = [];
    for (const f of entries.sort()) {
      const r = await fs.realpath(f).catch(() => undefined);
      if (!r || !within(root, r)) throw new UserError(`${printable(path.relative(root, f))} resolves outside the workspace; ModelDock does not deploy it.`);
      if ((await fs.stat(r)).isFile()) files.push(r);
    }
  }
  if (files.length === 0) throw new UserError('No YAML manifests found.', 'Generate them with "ModelDock: Containerize Model" (Kubernetes output).');
  if (files.length > MAX_MANIFEST_FILES) throw new UserError(`More than ${MAX_MANIFEST_FILES} manifest files in ${printable(dir)}.`);
  const texts: string[] = [];
  for (const f of files) {
    const size = (await fs.stat(f)).size;
    if (size > MAX_MANIFEST_BYTES) throw new UserError(`${printable(path.relative(root, f))} is larger than 2 MiB; not a manifest ModelDock generated.`);
    texts.push(await fs.readFile(f, 'utf8'));
  }
  const projectDir = path.basename(dir) === 'k8s' ? path.dirname(dir) : dir;
  return { files, texts, projectDir };
}

/** The images of the Deployments' containers, in document order. */
export function deploymentImages(texts: readonly string[]): { deployment: string; container: string; image: string }[] {
  const out: { deployment: string; container: string; image: string }[] = [];
  for (const text of texts) {
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new UserError(`A manifest does not parse: ${doc.errors[0]!.message}`);
      const o = doc.toJS({ maxAliasCount: 100 }) as { kind?: unknown; metadata?: { name?: unknown }; spec?: { template?: { spec?: { containers?: unknown } } } } | null;
      if (!o || o.kind !== 'Deployment' || typeof o.metadata?.name !== 'string') continue;
      const containers = o.spec?.template?.spec?.containers;
      for (const c of Array.isArray(containers) ? containers : []) {
        const image = (c as { image?: unknown }).image;
        const name = (c as { name?: unknown }).name;
        if (typeof image === 'string' && typeof name === 'string') out.push({ deployment: o.metadata.name, container: name, image });
      }
    }
  }
  return out;
}

/** Which image of the manifests is the one this project builds: the one named like the build tag, else the first Deployment's first. */
export function chooseServingImage(texts: readonly string[], buildTag: string | undefined): string {
  const images = deploymentImages(texts);
  if (images.length === 0) throw new UserError('The manifests have no Deployment to roll out.', 'Deploy Model rolls out a Deployment (a KServe InferenceService alone is applied by "Apply Manifest").');
  if (buildTag) {
    const repo = repositoryOf(buildTag);
    const match = images.find((i) => i.image === buildTag || repositoryOf(i.image) === repo);
    if (match) return match.image;
  }
  return images[0]!.image;
}

export interface Confirmation {
  readonly message: string;
  readonly detail: string;
  readonly action: string;
  /** The live objects and the server's dry-run result, for the diff. */
  readonly diff?: { readonly live: string; readonly dryRun: string; readonly title: string };
}

export interface PipelineDeps {
  /** Builds `tag` from the project's Dockerfile; undefined when cancelled or failed (already reported). */
  build(projectDir: string, tag: string): Promise<{ durationMs: number } | undefined>;
  /** Tags `image` as `target` and pushes it; the digest comes from the registry. */
  push(image: string, target: string): Promise<PushResult | undefined>;
  /** Does the registry serve this digest, from here, with the user's credentials? */
  checkImage(ref: string): Promise<ManifestCheck>;
  /** Resolves true to go ahead. */
  confirm(c: Confirmation): Promise<boolean>;
  readonly client: ClusterClient;
  readonly follower?: Partial<Pick<import('./follower').FollowerOptions, 'inspectImage' | 'trace' | 'timeoutMs' | 'coalesceMs'>>;
  readonly now?: () => Date;
}

export interface DeployInput {
  readonly manifests: ManifestSource;
  readonly namespace: string;
  /** `modeldock.deploy.registry`. */
  readonly registry: string;
  /** The tag Build produces (the settings' template, compose, `<project>:0.1.0`). */
  readonly buildTag?: string;
  /** Skip the build: the image exists locally already (tests, "Deploy without building"). */
  readonly skipBuild?: boolean;
}

export interface DeployOutcome {
  readonly context: string;
  readonly projectDir: string;
  readonly namespace: string;
  readonly image: string;
  readonly pushed: PushResult;
  readonly prepared: PreparedManifest;
  readonly applied: readonly { readonly kind: string; readonly name: string; readonly namespace?: string; readonly created: boolean }[];
  readonly rollouts: readonly RolloutSnapshot[];
  readonly ok: boolean;
  readonly timings: Readonly<Partial<Record<StepName, number>>> & { readonly total: number };
}

let sessionIds = 0;

/**
 * One deploy: its steps' states, the followers of its rollouts, the smoke test's answer. The
 * view renders it; ModelDockApi.deploy exposes it to tests.
 */
export class DeploySession {
  /** Stable across the view's refreshes (tree item ids derive from it). */
  readonly id = ++sessionIds;
  private readonly emitter = new Emitter<DeploySession>();
  readonly onDidChange = this.emitter.event;
  readonly steps = new Map<StepName, StepState>();
  readonly followers: RolloutFollower[] = [];
  readonly started = Date.now();
  title: string;
  image: string | undefined;
  pinned: string | undefined;
  smoke: import('./smokeRunner').SmokeResult | undefined;
  /** Port-forward left open after the smoke test. */
  forward: { readonly localPort: number; readonly target: string; dispose(): void } | undefined;
  outcome: DeployOutcome | undefined;
  error: string | undefined;
  private readonly subs: { dispose(): void }[] = [];
  /** Whether the view showing it is visible: hidden, its followers close their watches. */
  private visible = true;
  /**
   * A deploy command in progress waits for its rollouts: they are followed even while the view
   * is hidden (the command's notification shows the progress); the rest pause when hidden.
   */
  holdOpen = false;

  constructor(
    readonly context: string,
    readonly namespace: string,
    title: string,
  ) {
    this.title = title;
    for (const name of Object.keys(STEP_TITLES) as StepName[]) this.steps.set(name, { name, status: 'pending' });
  }

  set(name: StepName, status: StepStatus, detail?: string, ms?: number): void {
    this.steps.set(name, { name, status, ...(detail !== undefined ? { detail } : {}), ...(ms !== undefined ? { ms } : {}) });
    this.changed();
  }

  addFollower(f: RolloutFollower): void {
    this.followers.push(f);
    if (!this.visible && !this.holdOpen) f.pause();
    this.subs.push(f.onDidChange(() => this.changed()));
    this.changed();
  }

  changed(): void {
    this.emitter.fire(this);
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    for (const f of this.followers) if (visible) f.resume();
    else if (!this.holdOpen) f.pause();
  }

  dispose(): void {
    for (const f of this.followers) f.dispose();
    for (const s of this.subs) s.dispose();
    this.forward?.dispose();
    this.forward = undefined;
    this.emitter.dispose();
  }
}

async function timed<T>(session: DeploySession, step: StepName, timings: Partial<Record<StepName, number>>, run: () => Promise<T>, done: (v: T) => string | undefined): Promise<T> {
  const t0 = Date.now();
  session.set(step, 'running');
  try {
    const v = await run();
    timings[step] = Date.now() - t0;
    session.set(step, 'done', done(v), timings[step]);
    return v;
  } catch (err) {
    session.set(step, err instanceof CancelledError ? 'skipped' : 'failed', err instanceof Error ? err.message : String(err), Date.now() - t0);
    throw err;
  }
}

function summarizeApply(results: readonly ApplyResult[]): string {
  return results.map((r) => `${r.before ? 'update' : 'create'} ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`).join('\n');
}

/** Runs the pipeline; the session shows where it is. Throws UserError/CancelledError to stop. */
export async function runDeploy(input: DeployInput, deps: PipelineDeps, session: DeploySession): Promise<DeployOutcome> {
  const timings: Partial<Record<StepName, number>> = {};
  const t0 = Date.now();
  const { client } = deps;
  const registry = parseRegistry(input.registry);
  if ('problem' in registry) throw new UserError(registry.problem, 'Settings: modeldock.deploy.registry. A local registry works: 127.0.0.1:5000.');

  const image = await timed(session, 'manifests', timings, async () => chooseServingImage(input.manifests.texts, input.buildTag), (i) => `${input.manifests.files.length} file(s); serving image ${i}`);
  session.image = image;

  if (input.skipBuild) session.set('build', 'skipped', 'using the local image');
  else {
    await timed(
      session,
      'build',
      timings,
      async () => {
        const built = await deps.build(input.manifests.projectDir, image);
        if (!built) throw new CancelledError('Build did not finish');
        return built;
      },
      () => image,
    );
  }

  const target = pushTarget(image, registry.prefix);
  const pushed = await timed(
    session,
    'push',
    timings,
    async () => {
      const r = await deps.push(image, target);
      if (!r) throw new CancelledError('Push did not finish');
      return r;
    },
    (r) => r.pinned,
  );
  session.pinned = pushed.pinned;

  await timed(
    session,
    'check',
    timings,
    async () => {
      const check = await deps.checkImage(pushed.pinned);
      if (!check.ok && check.status === 0) {
        // Not the registry's answer: this machine cannot reach it (a registry inside Docker
        // Desktop's VM, a VPN only the cluster has). The cluster may still pull; the user decides.
        const go = await deps.confirm({
          message: `${check.message}. Deploy anyway?`,
          detail: `The engine pushed ${pushed.pinned}, but ModelDock cannot check it from here. If the cluster cannot reach the registry either, its pods will stay in ImagePullBackOff.`,
          action: 'Deploy Anyway',
        });
        if (!go) throw new CancelledError('Registry not reachable from here');
        return check;
      }
      if (!check.ok) {
        throw new UserError(
          `The registry does not serve ${pushed.pinned}: ${check.message}.`,
          check.status === 401 || check.status === 403 ? 'The cluster would fail to pull it (ImagePullBackOff): check the credentials for this registry.' : 'The cluster would fail to pull it (ImagePullBackOff).',
        );
      }
      if (check.digest && check.digest !== pushed.digest) {
        throw new UserError(`The registry serves ${check.digest} for ${pushed.pinned}, not the pushed ${pushed.digest}.`, 'Something rewrote the image between push and check; push again.');
      }
      return check;
    },
    (c) => (c.ok ? `served at ${c.url}` : `not checked: ${c.message}`),
  );

  const cause = changeCause({ image: target, digest: pushed.digest, project: path.basename(input.manifests.projectDir), at: (deps.now ?? (() => new Date()))() });
  const prepared = prepareManifests(input.manifests.texts, image, pushed.pinned, cause);
  const objects = prepared.objects.filter((o): o is KubeObject => typeof o.kind === 'string' && typeof o.apiVersion === 'string' && typeof (o.metadata as { name?: unknown } | undefined)?.name === 'string');

  const dry = await timed(
    session,
    'dry-run',
    timings,
    () => client.applyServerSide(objects, { dryRun: true, namespace: input.namespace }),
    (r) => `${r.length} object(s) accepted by the API server`,
  );
  const diff = {
    live: dry.map((r) => forDiff(r.before) || `# ${r.kind} ${r.name}: does not exist yet\n`).join('---\n'),
    dryRun: dry.map((r) => forDiff(r.after)).join('---\n'),
    title: `Live ↔ Server Dry-Run: ${path.basename(input.manifests.projectDir)} → ${client.currentContext}/${input.namespace}`,
  };
  const ok = await deps.confirm({
    message: `Deploy ${target} to ${client.currentContext} (namespace ${input.namespace})?`,
    detail: `${summarizeApply(dry)}\n\nImage pinned to ${pushed.pinned}\nChange-cause: ${cause}`,
    action: 'Deploy',
    diff,
  });
  if (!ok) {
    session.set('apply', 'skipped', 'not confirmed');
    throw new CancelledError('Deploy not confirmed');
  }

  const applied = await timed(
    session,
    'apply',
    timings,
    async () => {
      try {
        return await client.applyServerSide(objects, { dryRun: false, namespace: input.namespace });
      } catch (err) {
        if (!isKubeError(err, 'conflict')) throw err;
        // Another field manager (kubectl, a CI tool) owns some of these fields.
        const force = await deps.confirm({
          message: `Another tool manages fields ModelDock is about to change: ${err.info.message}`,
          detail: 'Apply with force makes ModelDock ("modeldock" field manager) the owner of those fields.',
          action: 'Apply with Force',
        });
        if (!force) throw new CancelledError('Conflicting apply not forced');
        return client.applyServerSide(objects, { dryRun: false, force: true, namespace: input.namespace });
      }
    },
    (r) => `${r.length} object(s): ${r.map((x) => `${x.kind}/${x.name}`).join(', ')}`,
  );

  const deployments = applied.filter((r) => r.kind === 'Deployment');
  const rolloutStart = Date.now();
  session.set('rollout', 'running', `following ${deployments.map((d) => d.name).join(', ')}`);
  for (const d of deployments) {
    const f = new RolloutFollower(
      { namespace: d.namespace ?? input.namespace, name: d.name, expectedImages: [pushed.pinned] },
      { client, ...(deps.follower ?? {}) },
    );
    session.addFollower(f);
  }
  const rollouts = await Promise.all(session.followers.map((f) => f.done));
  timings.rollout = Date.now() - rolloutStart;
  const rolledOut = rollouts.every((r) => r.phase === 'complete');
  session.set('rollout', rolledOut ? 'done' : 'failed', rollouts.map((r) => r.summary).join('; '), timings.rollout);
  const outcome: DeployOutcome = {
    context: client.currentContext,
    projectDir: input.manifests.projectDir,
    namespace: input.namespace,
    image: target,
    pushed,
    prepared,
    applied: applied.map((r) => ({ kind: r.kind, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}), created: !r.before })),
    rollouts,
    ok: rolledOut,
    timings: { ...timings, total: Date.now() - t0 },
  };
  session.outcome = outcome;
  session.changed();
  return outcome;
}
