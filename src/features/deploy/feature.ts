import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Deps } from '../../platform/deps';
import { CancelledError, UserError, errorMessage } from '../../platform/errors';
import { readSetting } from '../../platform/settings';
import { checkImageAccess } from '../../docker/registry';
import { defaultImageRef } from '../../docker/tags';
import type { ClusterClient } from '../../kube';
import type { ClusterApi, ClusterServices } from '../cluster';
import type { DockerApi } from '../docker/api';
import { appPredictRoute, type AppRoute } from '../../core/deploy/smoke';
import type { DeployRequest } from './api';
import { RolloutFollower, type RolloutSnapshot } from './follower';
import { DeploySession, readManifests, runDeploy, type Confirmation, type DeployOutcome } from './pipeline';
import { runSmokeTest, type SmokeResult } from './smokeRunner';
import { DEPLOY_VIEW_ID, DeployTreeProvider } from './view';

export const TARGET_KEY = 'modeldock.deploy.target';
const MAX_SESSIONS = 6;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface DeploySettings {
  readonly registry: string;
  readonly rolloutTimeoutSeconds: number;
  readonly smokeTest: 'ask' | 'always' | 'never';
}

export function readDeploySettings(scope?: vscode.ConfigurationScope): DeploySettings {
  const cfg = vscode.workspace.getConfiguration('modeldock', scope);
  return {
    registry: readSetting(cfg, 'deploy.registry'),
    rolloutTimeoutSeconds: readSetting(cfg, 'deploy.rolloutTimeoutSeconds'),
    smokeTest: readSetting(cfg, 'deploy.smokeTest'),
  };
}

interface RememberedTarget {
  readonly context: string;
  readonly namespace: string;
}

function remembered(v: unknown): RememberedTarget | undefined {
  const o = v as { context?: unknown; namespace?: unknown } | undefined;
  return typeof o?.context === 'string' && typeof o.namespace === 'string' ? { context: o.context, namespace: o.namespace } : undefined;
}

/** What the deploy commands share: the sessions the view shows, clients per context, the other features' APIs. */
export class DeployFeature implements vscode.Disposable {
  sessions: DeploySession[] = [];
  private readonly clients = new Map<string, Promise<ClusterClient>>();
  private readonly changes = new vscode.EventEmitter<DeploySession>();
  readonly onDidChange = this.changes.event;
  readonly provider: DeployTreeProvider;
  readonly view: vscode.TreeView<import('./view').Row>;
  private readonly subs: vscode.Disposable[] = [];
  /** Sample-request answers kept for "Show Response", by session. */
  private readonly responses = new WeakMap<DeploySession, vscode.Uri>();

  constructor(
    readonly deps: Deps,
    private readonly workspaceState: vscode.Memento,
    readonly docker: DockerApi,
    readonly cluster: ClusterServices,
    readonly clusterApi: ClusterApi,
    /** The served app's routes, from detection (a project folder's entrypoint). */
    private readonly routes: (projectDir: string) => readonly AppRoute[] | undefined = () => undefined,
  ) {
    this.provider = new DeployTreeProvider(() => this.sessions);
    this.view = vscode.window.createTreeView(DEPLOY_VIEW_ID, { treeDataProvider: this.provider, showCollapseAll: true });
    this.subs.push(
      this.view,
      this.provider,
      // Live while visible: hidden, the followers close their watches; shown, they list again.
      this.view.onDidChangeVisibility((e) => {
        for (const s of this.sessions) s.setVisible(e.visible);
      }),
      cluster.onDidStartRollout((r) => void this.follow(r)),
    );
  }

  /** One client per context, shared by the sessions of that context. */
  client(context: string): Promise<ClusterClient> {
    let c = this.clients.get(context);
    if (!c) {
      c = this.cluster.connect(context);
      this.clients.set(context, c);
      c.catch(() => this.clients.delete(context));
    }
    return c;
  }

  private add(session: DeploySession): void {
    this.sessions.unshift(session);
    for (const old of this.sessions.splice(MAX_SESSIONS)) old.dispose();
    session.onDidChange(() => {
      this.provider.refresh();
      this.changes.fire(session);
    });
    this.provider.refresh();
    session.setVisible(this.view.visible);
    // Show it: the rollout is followed while the view is visible.
    if (!this.view.visible) void vscode.commands.executeCommand(`${DEPLOY_VIEW_ID}.focus`).then(undefined, () => undefined);
  }

  clear(): void {
    const keep = this.sessions.filter((s) => !s.outcome && !s.error);
    for (const s of this.sessions) if (!keep.includes(s)) s.dispose();
    this.sessions = keep;
    this.provider.refresh();
  }

  /** The folder or file to deploy from: the argument, else the workspace folder (asked when several). */
  private async resolveTarget(arg: vscode.Uri | undefined): Promise<{ target: vscode.Uri; folder: vscode.WorkspaceFolder }> {
    if (arg) {
      const folder = vscode.workspace.getWorkspaceFolder(arg);
      if (!folder) throw new UserError('Deploy works on files inside the open workspace.');
      return { target: arg, folder };
    }
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) throw new UserError('Open a folder first.', 'Deploy Model deploys the k8s/ manifests of a project folder.');
    if (folders.length === 1) return { target: folders[0]!.uri, folder: folders[0]! };
    const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Project to deploy' });
    if (!picked) throw new CancelledError();
    return { target: picked.uri, folder: picked };
  }

  private async registry(folder: vscode.WorkspaceFolder): Promise<string> {
    const set = readDeploySettings(folder.uri).registry;
    if (set.trim()) return set;
    const value = await vscode.window.showInputBox({
      title: 'Deploy Model: registry to push to',
      prompt: 'Registry (and optional path) the image is pushed to; the cluster pulls it from there. Saved as modeldock.deploy.registry for this workspace.',
      placeHolder: '127.0.0.1:5000 or ghcr.io/your-org',
      ignoreFocusOut: true,
    });
    if (!value?.trim()) throw new CancelledError();
    await vscode.workspace.getConfiguration('modeldock', folder.uri).update('deploy.registry', value.trim(), vscode.ConfigurationTarget.Workspace);
    return value.trim();
  }

  /** Context and namespace: the request's, else picked (the last ones of this workspace first). */
  private async pickTarget(request: DeployRequest): Promise<RememberedTarget> {
    const last = remembered(this.workspaceState.get(TARGET_KEY));
    let context = request.context;
    if (!context) {
      const contexts = await this.cluster.contexts();
      if (contexts.length === 0) throw new UserError('No Kubernetes context in the kubeconfig.', 'Connect a cluster first (see the Clusters view).');
      const items = contexts
        .map((c) => ({ label: c.name, description: [c.name === last?.context && 'last used here', c.current && 'current', c.server].filter(Boolean).join(' · '), detail: `cluster ${c.cluster} · user ${c.user}`, name: c.name }))
        .sort((a, b) => Number(b.name === last?.context) - Number(a.name === last?.context));
      const picked = await vscode.window.showQuickPick(items, { title: 'Deploy Model: Kubernetes context', placeHolder: 'Which cluster to deploy to', ignoreFocusOut: true });
      if (!picked) throw new CancelledError();
      context = picked.name;
    }
    let namespace = request.namespace;
    if (!namespace) {
      const client = await this.client(context);
      const suggested = [last?.context === context ? last.namespace : undefined, client.defaultNamespace].filter((n): n is string => !!n);
      let listed: string[] = [];
      try {
        listed = (await client.listNamespaces()).map((n) => n.meta.name);
      } catch (err) {
        this.deps.log.debug(`deploy: cannot list namespaces in ${context}: ${errorMessage(err)}`);
      }
      const names = [...new Set([...suggested, ...listed])];
      const other = '$(edit) Other namespace…';
      const picked = await vscode.window.showQuickPick([...names.map((n) => ({ label: n, description: n === suggested[0] ? (last?.context === context ? 'last used here' : 'context default') : undefined })), { label: other }], {
        title: `Deploy Model: namespace in ${context}`,
        ignoreFocusOut: true,
      });
      if (!picked) throw new CancelledError();
      namespace = picked.label;
      if (picked.label === other) {
        const typed = await vscode.window.showInputBox({ title: 'Namespace', validateInput: (v) => (DNS_LABEL.test(v.trim()) ? undefined : 'A namespace name: lowercase letters, digits and -') });
        if (!typed) throw new CancelledError();
        namespace = typed.trim();
      }
    }
    if (!DNS_LABEL.test(namespace)) throw new UserError(`"${namespace}" is not a namespace name.`);
    await this.workspaceState.update(TARGET_KEY, { context, namespace });
    return { context, namespace };
  }

  /** Shows the dry-run diff (the Clusters view's documents), then the one modal question. */
  private async confirm(c: Confirmation): Promise<boolean> {
    if (c.diff) {
      const id = `deploy-${Date.now().toString(36)}`;
      const left = this.cluster.documents.put(`/apply/${id}/live.yaml`, c.diff.live);
      const right = this.cluster.documents.put(`/apply/${id}/dry-run.yaml`, c.diff.dryRun);
      await vscode.commands.executeCommand('vscode.diff', left, right, c.diff.title, { preview: true });
    }
    const answer = await this.deps.prompts.modal({ severity: 'warning', message: c.message, detail: c.detail, buttons: [c.action] });
    return answer === c.action;
  }

  async deploy(request: DeployRequest): Promise<DeployOutcome> {
    const { target, folder } = await this.resolveTarget(request.target);
    const manifests = await readManifests(target.fsPath, folder.uri.fsPath);
    const dockerfile = path.join(manifests.projectDir, 'Dockerfile');
    try {
      await vscode.workspace.fs.stat(vscode.Uri.file(dockerfile));
    } catch {
      throw new UserError(`No Dockerfile in ${path.basename(manifests.projectDir)}.`, 'Generate it with "ModelDock: Containerize Model".');
    }
    const registry = await this.registry(folder);
    const { context, namespace } = await this.pickTarget(request);
    const client = await this.client(context);
    const settings = readDeploySettings(folder.uri);
    const imageTemplate = readSetting(vscode.workspace.getConfiguration('modeldock', folder.uri), 'docker.imageTag');
    const buildTag = await defaultImageRef(manifests.projectDir, { ...(imageTemplate ? { template: imageTemplate } : {}), dockerfile: 'Dockerfile' });
    const session = new DeploySession(context, namespace, path.basename(manifests.projectDir));
    session.holdOpen = true;
    this.add(session);
    this.deps.log.info(`deploy ${manifests.projectDir} → ${context}/${namespace} via ${registry}`);
    let outcome: DeployOutcome;
    try {
      outcome = await runDeploy(
        { manifests, namespace, registry, buildTag },
        {
          client,
          build: async (dir, tag) => {
            const r = await this.docker.build({ dockerfile: vscode.Uri.file(path.join(dir, 'Dockerfile')), contextDir: vscode.Uri.file(dir), tag });
            return r ? { durationMs: r.durationMs } : undefined;
          },
          push: (image, pushTo) => this.docker.push({ image, target: pushTo }),
          checkImage: (ref) => checkImageAccess(ref),
          confirm: (c) => this.confirm(c),
          follower: {
            inspectImage: async (ref) => {
              const c = await checkImageAccess(ref);
              return c.ok ? `it serves ${ref} (the cluster's nodes may not reach it, or lack its pull secret)` : c.message;
            },
            trace: (m) => this.deps.log.debug(m),
            timeoutMs: settings.rolloutTimeoutSeconds * 1000,
          },
        },
        session,
      );
    } catch (err) {
      session.error = errorMessage(err);
      session.changed();
      throw err;
    } finally {
      session.holdOpen = false;
    }
    const t = outcome.timings;
    this.deps.log.info(`deploy ${session.title}: ${outcome.ok ? 'rolled out' : 'did not roll out'} in ${(t.total / 1000).toFixed(1)} s (build ${t.build ?? 0} ms, push ${t.push ?? 0} ms, apply ${t.apply ?? 0} ms, rollout ${t.rollout ?? 0} ms; ${outcome.rollouts.reduce((n, r) => n + r.requests, 0)} API requests while following)`);
    if (outcome.ok) {
      if (settings.smokeTest === 'always') await this.smokeTest(session);
      else if (settings.smokeTest === 'ask') {
        void vscode.window.showInformationMessage(`Rolled out ${session.pinned} to ${context}/${namespace}.`, 'Smoke Test').then((choice) => {
          if (choice) void vscode.commands.executeCommand('modeldock.deploy.smokeTest', session);
        });
      }
    } else {
      const first = outcome.rollouts.find((r) => r.phase !== 'complete');
      const problem = first?.problems[0];
      void vscode.window.showErrorMessage(`${session.title} did not roll out: ${problem ? `${problem.message}. ${problem.hint}` : first?.summary ?? 'see the Deploy view'}`, 'Show Deploy View').then((c) => {
        if (c) void vscode.commands.executeCommand(`${DEPLOY_VIEW_ID}.focus`);
      });
    }
    return outcome;
  }

  async smokeTest(session: DeploySession | undefined): Promise<SmokeResult> {
    const s = session ?? this.sessions.find((x) => x.outcome?.ok);
    if (!s?.outcome) throw new UserError('No successful deploy to smoke-test yet.', 'Run "ModelDock: Deploy Model" first.');
    const dep = s.outcome.applied.find((a) => a.kind === 'Deployment');
    if (!dep) throw new UserError('That deploy has no Deployment.');
    const client = await this.client(s.context);
    s.set('smoke', 'running', `port-forward to a Ready pod of ${dep.name}`);
    const t0 = Date.now();
    let run: Awaited<ReturnType<typeof runSmokeTest>>;
    try {
      const route = appPredictRoute(this.routes(s.outcome.projectDir) ?? []);
      run = await runSmokeTest(client, { namespace: dep.namespace ?? s.namespace, deployment: dep.name, projectDir: s.outcome.projectDir, ...(s.pinned ? { image: s.pinned } : {}), ...(route ? { predictRoute: route } : {}) });
    } catch (err) {
      s.set('smoke', 'failed', errorMessage(err), Date.now() - t0);
      throw new UserError(`Smoke test of ${dep.name}: ${errorMessage(err)}`);
    }
    s.forward?.dispose();
    s.forward = run.forward ? { localPort: run.forward.localPort, target: `${run.result.pod}:${run.result.runtime.port}`, dispose: () => run.forward?.dispose() } : undefined;
    s.smoke = run.result;
    s.set('smoke', run.result.ok ? 'done' : 'failed', run.result.summary, Date.now() - t0);
    this.deps.log.info(`smoke test ${dep.name} (pod ${run.result.pod}, ${run.result.runtime.runtime}): ${run.result.summary}`);
    const a = run.result.answer;
    const text = [
      `# ${run.result.request?.method ?? ''} ${run.result.request?.path ?? ''} → ${a ? `HTTP ${a.status} in ${Math.round(a.ms)} ms` : 'no answer'}`,
      `# pod ${run.result.pod}, container ${run.result.container}, runtime ${run.result.runtime.runtime}, through 127.0.0.1:${run.result.localPort ?? '?'}`,
      run.result.request?.note ? `# ${run.result.request.note}` : undefined,
      run.result.request?.body !== undefined ? `# request (${run.result.request.sourceFile ?? run.result.request.source}): ${run.result.request.body.slice(0, 2000)}` : undefined,
      '',
      a ? prettyJson(a.body) : run.result.summary,
    ]
      .filter((l) => l !== undefined)
      .join('\n');
    this.responses.set(s, this.cluster.documents.put(`/deploy/${s.started}/smoke-${Date.now().toString(36)}.txt`, text));
    const msg = `Smoke test of ${dep.name}: ${run.result.summary}`;
    if (run.result.ok) {
      void vscode.window.showInformationMessage(msg, 'Show Response').then((c) => {
        if (c) void this.showResponse(s);
      });
    } else void vscode.window.showWarningMessage(msg, 'Show Response').then((c) => c && void this.showResponse(s));
    return run.result;
  }

  async showResponse(session: DeploySession | undefined): Promise<void> {
    const uri = session && this.responses.get(session);
    if (!uri) throw new UserError('No smoke test answer to show yet.');
    await vscode.window.showTextDocument(uri, { preview: true });
  }

  /** Follows a rollout a cluster command started (undo, resume) or the user asked to follow. */
  async follow(r: { readonly context: string; readonly namespace: string; readonly name: string; readonly cause?: string }): Promise<RolloutSnapshot | undefined> {
    const client = await this.client(r.context);
    const session = new DeploySession(r.context, r.namespace, `${r.name}${r.cause ? ` (${r.cause})` : ''}`);
    for (const step of ['manifests', 'build', 'push', 'check', 'dry-run', 'apply'] as const) session.steps.delete(step);
    this.add(session);
    const f = new RolloutFollower({ namespace: r.namespace, name: r.name }, { client, trace: (m) => this.deps.log.debug(m), timeoutMs: readDeploySettings().rolloutTimeoutSeconds * 1000, inspectImage: async (ref) => {
      const c = await checkImageAccess(ref);
      return c.ok ? undefined : c.message;
    } });
    session.addFollower(f);
    session.set('rollout', 'running');
    const done = await f.done;
    session.set('rollout', done.phase === 'complete' ? 'done' : 'failed', done.summary);
    return done;
  }

  dispose(): void {
    for (const s of this.sessions) s.dispose();
    this.sessions = [];
    for (const c of this.clients.values()) void c.then((x) => x.dispose(), () => undefined);
    this.clients.clear();
    for (const d of this.subs) d.dispose();
    this.changes.dispose();
  }
}

function prettyJson(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
