import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { TreeNode } from '../../../src/kube';
import type { DeployOutcome } from '../../../src/features/deploy';
import { resourcePath } from '../../helpers/kubeApi';
import { DeployCluster, LocalRegistry } from '../../integration/deploy/cluster';
import { activated, removeFromWorkspace, ui, uiText, waitFor, workspaceRoot } from './helpers';

const run = promisify(execFile);
const NS = 'ml';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// Deploy Model in the real editor, end to end, against a real kube-apiserver with the real
// scheduler and controllers (kwok simulating GPU nodes), a real registry and the real Docker
// engine: Generate → Deploy (build, push, dry-run diff answered through the test API, apply, the
// rollout followed in the Deploy view) → smoke test through a port-forward → undo from the
// Clusters view → a Pending GPU pod explained. kwok does not run containers: the smoke request
// reaches the pushed image running on the local engine, through the pod's port-forward. The
// screenshots of docs/deploy.md come from this run (test-results/vscode/deploy-*.png).
describe('Deploy Model (real control plane, registry and engine)', function () {
  this.timeout(900_000);
  let cluster: DeployCluster;
  let registry: LocalRegistry;
  const containers: string[] = [];
  const generated: string[] = [];
  const cfg = () => vscode.workspace.getConfiguration('modeldock');
  const questions: string[] = [];
  let answering: vscode.Disposable | undefined;
  let first: DeployOutcome | undefined;

  before(async () => {
    const { api } = await activated();
    [registry, cluster] = await Promise.all([
      LocalRegistry.start(),
      DeployCluster.start({
        namespaces: [NS],
        gpuNodes: [
          { name: 'cpu-1' },
          { name: 'cpu-2' },
          { name: 'cpu-3' },
          { name: 'node-a', gpus: 4, labels: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' } },
          { name: 'node-b', gpus: 8, labels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' }, taints: [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }] },
        ],
      }),
    ]);
    await cluster.cp.addPod({ name: 'train-a', namespace: NS, nodeName: 'node-a', containers: [{ name: 'main', gpus: 2 }] });
    await cluster.cp.addPod({ name: 'train-b', namespace: NS, nodeName: 'node-a', containers: [{ name: 'main', gpus: 1 }] });
    // pip in the image installs the example's pins from the test wheelhouse: the pip settings every
    // suite gets from scripts/run-vscode-tests.mjs (user settings) point at it; they are left alone.
    const G = vscode.ConfigurationTarget.Global;
    await cfg().update('kube.kubeconfig', cluster.cp.kubeconfigPath, G);
    await cfg().update('deploy.registry', registry.host, G);
    await cfg().update('deploy.smokeTest', 'never', G);
    // The Clusters view on this kubeconfig's admin context (an earlier suite may have chosen another).
    // Room for the Deploy view's rows in the screenshots.
    // increaseViewSize ("Increase Current View Size") resizes the focused part: the side bar, once
    // it has focus (increaseViewWidth is "Increase Editor Width": it narrows the side bar).
    await vscode.commands.executeCommand('workbench.action.focusSideBar');
    for (let i = 0; i < 6; i++) await vscode.commands.executeCommand('workbench.action.increaseViewSize');
    const { model } = api.cluster;
    const ctx = await waitFor('the test context in the Clusters view', () => model.getChildren(undefined).find((n) => n.type === 'context' && n.info.name === 'test'), 30_000);
    if (ctx.type === 'context' && !ctx.info.current) await vscode.commands.executeCommand('modeldock.kube.switchContext', ctx);
    // Generate: the Dockerfile and the Kubernetes manifests, as the wizard's Generate writes them.
    const res = await vscode.commands.executeCommand<{ outcome: { created: string[]; overwritten: string[] } }>('modeldock.containerize', {
      interactive: false,
      choices: { target: 'cpu', outputs: { dockerfile: true, dockerignore: true, compose: false, kubernetes: true, kserve: false } },
      overwrite: 'overwrite',
      open: false,
    });
    generated.push(...res.outcome.created, ...res.outcome.overwritten);
    fs.writeFileSync(path.join(workspaceRoot().fsPath, 'sample_request.json'), JSON.stringify({ instances: [[5.1, 3.5, 1.4, 0.2]] }));
    generated.push('sample_request.json');
    // VS Code refuses modal dialogs in extension tests: the test API answers them, and records them.
    answering = api.test.answerPrompts((q) => {
      questions.push(`${q.message}\n${q.detail ?? ''}`);
      return q.buttons.find((b) => b === 'Deploy' || b === 'Undo');
    });
  });

  after(async () => {
    answering?.dispose();
    for (const id of containers) await run('docker', ['rm', '-f', id]).catch(() => undefined);
    for (const k of ['kube.kubeconfig', 'deploy.registry', 'deploy.smokeTest']) await cfg().update(k, undefined, vscode.ConfigurationTarget.Global);
    await removeFromWorkspace(...generated);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await cluster?.stop();
    await registry?.stop();
  });

  /** The docs' screenshots: no panel, a wider side bar. */
  async function screenshot(name: string): Promise<void> {
    await vscode.commands.executeCommand('workbench.action.closePanel');
    assert.ok((await ui({ op: 'screenshot', name })).ok);
  }

  async function deployApi() {
    return (await activated()).api.deploy;
  }

  async function expandRow(label: string): Promise<void> {
    const where = { child: '.label-name', text: label };
    await waitFor(
      `row ${label} expanded`,
      async () => {
        const values = (await ui({ op: 'attr', selector: '.monaco-list-row', name: 'aria-expanded', where })).values ?? [];
        if (values.includes('true')) return true;
        if (values.includes('false')) await ui({ op: 'click', selector: '.monaco-list-row', where });
        return undefined;
      },
      30_000,
      200,
    );
  }

  it('deploys from the editor: build, push, dry-run diff confirmed, rollout followed in the Deploy view', async () => {
    const api = await deployApi();
    const t0 = Date.now();
    first = await api.deploy({ context: 'test', namespace: NS });
    assert.ok(first, 'Deploy Model returned nothing (it failed: see the log)');
    assert.equal(first.ok, true, JSON.stringify(first.rollouts, null, 1));
    console.log(`deploy wall time in the editor: ${((Date.now() - t0) / 1000).toFixed(1)} s; requests while following: ${first.rollouts[0]!.requests}`);
    // One modal question, after the diff: the target, the objects, the pinned digest.
    assert.equal(questions.length, 1);
    assert.match(questions[0]!, /^Deploy 127\.0\.0\.1:\d+\/sklearn-iris:0\.1\.0 to test \(namespace ml\)\?/);
    assert.match(questions[0]!, /create Deployment ml\/sklearn-iris/);
    assert.match(questions[0]!, new RegExp(`Image pinned to ${first.pushed.pinned.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const live = await cluster.cp.api.get(resourcePath('apps/v1', 'deployments', NS, 'sklearn-iris'));
    assert.equal((live.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image, first.pushed.pinned);
    // The remembered target for this workspace.
    await vscode.commands.executeCommand('modeldock.views.deploy.focus');
    await uiText('.monaco-list-row', /Rollout sklearn-iris \(revision 1\)/);
    await uiText('.monaco-list-row', /sklearn-iris rolled out: 1 of 1 replicas available/);
    await screenshot('deploy-rollout');
  });

  it('smoke-tests the model through a port-forward and shows the answer', async () => {
    assert.ok(first);
    const api = await deployApi();
    const hostPort = await freePort();
    const { stdout } = await run('docker', ['run', '-d', '--rm', '--label', 'modeldock.test=1', '-p', `127.0.0.1:${hostPort}:8080`, first.pushed.pinned]);
    containers.push(stdout.trim());
    const pod = first.rollouts[0]!.pods[0]!.name;
    await cluster.cp.exposePodPort(NS, pod, 8080, hostPort);
    let last = 'nothing yet';
    const result = await waitFor(() => `a smoke test answer from the model; last: ${last}`, async () => {
      const r = await api.smokeTest();
      last = r?.summary ?? 'the command failed (see the log)';
      return r?.ok ? r : undefined;
    }, 120_000, 2000);
    assert.equal(result.request?.path, '/predict');
    assert.equal(result.request?.sourceFile, 'sample_request.json');
    assert.deepEqual(JSON.parse(result.answer!.body), { predictions: ['setosa'] });
    // In the Deploy view's own row (a notification toast is a .monaco-list-row too, and says the same).
    await uiText('.customview-tree .monaco-list-row', /Smoke test.*POST \/predict → HTTP 200 in \d+ ms: \{"predictions":\["setosa"\]\}/);
    await vscode.commands.executeCommand('modeldock.deploy.showResponse', api.sessions[0]);
    await waitFor('the response editor', () => vscode.window.activeTextEditor?.document.getText().includes('"setosa"'));
    await screenshot('deploy-smoke');
  });

  it('rolls back from the Clusters view: Undo with a dry-run diff, the rollout followed live', async () => {
    assert.ok(first);
    const api = await deployApi();
    const app = path.join(workspaceRoot().fsPath, 'app.py');
    const original = fs.readFileSync(app, 'utf8');
    fs.writeFileSync(app, `${original}\n# revision 2\n`);
    let second: DeployOutcome | undefined;
    try {
      second = await api.deploy({ context: 'test', namespace: NS });
    } finally {
      fs.writeFileSync(app, original);
    }
    assert.equal(second?.rollouts[0]?.revision, '2');
    const { model } = (await activated()).api.cluster;
    await vscode.commands.executeCommand('modeldock.views.cluster.focus');
    const find = (parent: TreeNode | undefined, what: string, match: (n: TreeNode) => boolean) => waitFor(what, () => model.getChildren(parent).find(match), 30_000);
    const ctx = await find(undefined, 'the test context', (n) => n.type === 'context' && n.info.name === 'test');
    const ml = await find(ctx, 'namespace ml', (n) => n.type === 'namespace' && n.name === NS);
    const workloads = await find(ml, 'Workloads', (n) => n.type === 'group' && n.group === 'workloads');
    const kinds = await find(workloads, 'Deployments', (n) => n.type === 'workloadKind' && n.kind === 'Deployment');
    const dep = await find(kinds, 'the sklearn-iris Deployment at revision 2', (n) => n.type === 'workload' && n.info.meta.name === 'sklearn-iris' && n.info.rollout?.revision === '2');
    const before = api.sessions.length;
    const revision = await vscode.commands.executeCommand<number>('modeldock.kube.rolloutUndo', dep, 1);
    assert.equal(revision, 1);
    assert.match(questions.at(-1)!, /^Undo deployment ml\/sklearn-iris to revision 1 in test\?/);
    // The Deploy view follows the rollout the undo started.
    const session = await waitFor('the undo followed in the Deploy view', () => (api.sessions.length > before ? api.sessions[0] : undefined));
    const done = await session.followers[0]!.done;
    assert.equal(done.phase, 'complete', done.summary);
    assert.equal(done.revision, '3');
    assert.deepEqual(done.images, [first.pushed.pinned]);
    await vscode.commands.executeCommand('modeldock.views.deploy.focus');
    await uiText('.monaco-list-row', /sklearn-iris \(undo to revision 1\)/);
    await screenshot('deploy-undo');
  });

  it('shows why a GPU pod does not schedule: in the Deploy view and in the Clusters view\'s Nodes level', async () => {
    const api = await deployApi();
    await cluster.cp.api.apply(resourcePath('apps/v1', 'deployments', NS, 'llm'), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'llm', namespace: NS },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'llm' } },
        template: { metadata: { labels: { app: 'llm' } }, spec: { containers: [{ name: 'server', image: `${registry.host}/llm:1`, resources: { limits: { 'nvidia.com/gpu': '2' } } }] } },
      },
    });
    const { model } = (await activated()).api.cluster;
    const find = (parent: TreeNode | undefined, what: string, match: (n: TreeNode) => boolean) => waitFor(what, () => model.getChildren(parent).find(match), 30_000);
    const ctx = await find(undefined, 'the test context', (n) => n.type === 'context' && n.info.name === 'test');
    const ml = await find(ctx, 'namespace ml', (n) => n.type === 'namespace' && n.name === NS);
    const workloads = await find(ml, 'Workloads', (n) => n.type === 'group' && n.group === 'workloads');
    const kinds = await find(workloads, 'Deployments', (n) => n.type === 'workloadKind' && n.kind === 'Deployment');
    const dep = await find(kinds, 'the llm Deployment', (n) => n.type === 'workload' && n.info.meta.name === 'llm');
    const following = vscode.commands.executeCommand('modeldock.deploy.follow', dep);
    const sentence = 'needs 2 nvidia.com/gpu; largest free on any node: 1 (node-a: 1 of 4 free); 3 nodes have no GPUs; node-b has taint nvidia.com/gpu=present:NoSchedule, not tolerated';
    await waitFor('the Pending pod explained in the Deploy view', () => api.sessions[0]?.followers[0]?.snapshot.scheduling[0]?.summary === sentence, 60_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('modeldock.views.deploy.focus');
    await uiText('.customview-tree .monaco-list-row', /Pending: needs 2 nvidia\.com\/gpu; largest free on any node: 1/);
    await screenshot('deploy-gpu-pending');

    // The Nodes level: what each node has, and who holds its GPUs.
    await vscode.commands.executeCommand('modeldock.views.cluster.focus');
    await vscode.commands.executeCommand('workbench.actions.treeView.modeldock.views.cluster.collapseAll');
    await expandRow('test');
    await expandRow('Nodes');
    await expandRow('node-a');
    await uiText('.monaco-list-row', /GPU 3\/4 used · NVIDIA-A100-SXM4-80GB/);
    await uiText('.monaco-list-row', /capacity 4 · allocatable 4 · requested 3 · 1 free/);
    await uiText('.monaco-list-row', /^train-a/);
    await screenshot('deploy-nodes');
    // Stop following (the rollout cannot finish): the watches close with it.
    api.sessions[0]?.followers[0]?.dispose();
    await following;
    await vscode.commands.executeCommand('modeldock.deploy.clear');
  });
});
