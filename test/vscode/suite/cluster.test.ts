import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TreeNode } from '../../../src/kube';
import { startControlPlane, type ControlPlane } from '../../helpers/controlPlane';
import { resourcePath } from '../../helpers/kubeApi';
import { activated, removeFromWorkspace, ui, uiText, waitFor, workspaceRoot } from './helpers';

/** Collects what the Clusters view writes to one log session, through ModelDockApi.cluster.logs. */
async function logText(): Promise<{ of(session: { key: string }): string; dispose(): void }> {
  const lines: { session: string; line: string }[] = [];
  const sub = (await activated()).api.cluster.logs.onDidWrite((w) => lines.push(w));
  return { of: (s) => lines.filter((l) => l.session === s.key).map((l) => l.line).join('\n'), dispose: () => sub.dispose() };
}

// The Clusters view against a real control plane (etcd + kube-apiserver + kwok, from
// test/helpers/controlPlane.ts, started inside this extension host): HTTPS, RBAC, watches,
// driven through the real tree view and read back from the workbench's DOM. The view uses the
// context of alice, a user with rights in namespace ml only, so "restricted" answers 403.
describe('Clusters view (real kube-apiserver, RBAC user alice)', function () {
  // Starting etcd, the API server and kwok takes a while on a busy 2-core machine.
  this.timeout(240_000);
  let cp: ControlPlane;
  const cfg = () => vscode.workspace.getConfiguration('modeldock.kube');

  before(async () => {
    cp = await startControlPlane({ namespaces: ['ml', 'restricted'], teamNamespaces: ['ml'] });
    await cp.addPod({ name: 'trainer-0', namespace: 'ml', containers: [{ name: 'main', image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', gpus: 1 }] });
    await cp.appendLog('ml', 'trainer-0', 'main', ['epoch 1 loss 0.93', 'RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB']);
    await cp.addPod({ name: 'hidden-0', namespace: 'restricted' });
    const kubeconfig = await cp.writeKubeconfig({ file: path.join(cp.dir, 'alice.kubeconfig'), current: 'alice' });
    await cfg().update('kubeconfig', kubeconfig, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('modeldock.views.cluster.focus');
  });

  after(async () => {
    await cfg().update('kubeconfig', undefined, vscode.ConfigurationTarget.Global);
    await cp?.stop();
  });

  async function model() {
    return (await activated()).api.cluster;
  }

  /** Scrolls a node's row into the Clusters view (without selecting or expanding it). */
  async function reveal(node: TreeNode): Promise<void> {
    const { view } = await model();
    // A node that just arrived by watch may not have reached the view yet: reveal refuses it until then.
    await waitFor(`the row of ${node.id} revealed`, async () => {
      await view.reveal(node, { select: false, focus: false, expand: false });
      return true;
    }, 30_000);
  }

  /** Expands a row of the Clusters view the way a person does: a click on its label. */
  async function expand(label: string, want: 'true' | 'false' = 'true'): Promise<void> {
    const row = '.monaco-list-row';
    const where = { child: '.label-name', text: label };
    const other = want === 'true' ? 'false' : 'true';
    let values: (string | null)[] = [];
    let rows: string[] = [];
    await waitFor(
      () => `row ${label} to become aria-expanded=${want} (saw ${JSON.stringify(values)}; rows: ${JSON.stringify(rows)})`,
      async () => {
        values = (await ui({ op: 'attr', selector: row, name: 'aria-expanded', where })).values ?? [];
        rows = (await ui({ op: 'text', selector: row })).texts ?? [];
        if (values.includes(want) && !values.includes(other)) return true;
        if (values.includes(other)) {
          const clicked = await ui({ op: 'click', selector: row, where });
          if (!clicked.ok) throw new Error(clicked.error);
        }
        return undefined;
      },
      30_000,
      150,
    );
  }

  async function child(parent: TreeNode | undefined, what: string, match: (n: TreeNode) => boolean): Promise<TreeNode> {
    const { model: m } = await model();
    return waitFor(what, () => m.getChildren(parent).find(match), 30_000);
  }

  /** The labels of the rows on screen (without descriptions). */
  const rowTexts = async () => (await ui({ op: 'text', selector: '.monaco-list-row .label-name' })).texts ?? [];

  /** Waits until the view shows alice's namespaces. */
  async function connected(): Promise<void> {
    await waitFor('alice\'s namespaces in the view', async () => ((await rowTexts()).includes('ml') ? true : undefined), 90_000, 250);
  }

  /** Expands context → namespace → Pods in the real tree and returns the model's Pods node. */
  async function podsOf(ns: string): Promise<TreeNode> {
    await vscode.commands.executeCommand('modeldock.views.cluster.focus');
    await connected();
    const ctx = await child(undefined, 'the alice context', (n) => n.type === 'context' && n.info.name === 'alice');
    await expand('alice');
    const nsNode = await child(ctx, `namespace ${ns}`, (n) => n.type === 'namespace' && n.name === ns);
    await expand(ns);
    const pods = await child(nsNode, `Pods of ${ns}`, (n) => n.type === 'group' && n.group === 'pods');
    // A tree renders only the rows in view, and four panes share the side bar: scroll the row in.
    await reveal(pods);
    await expand(`Pods`);
    return pods;
  }

  it('connects to the current context and lists its namespaces by itself', async () => {
    await vscode.commands.executeCommand('modeldock.views.cluster.focus');
    let rows: string[] = [];
    await waitFor(() => `alice's namespaces in the view (rows: ${JSON.stringify(rows)})`, async () => ((rows = await rowTexts()).includes('ml') ? true : undefined), 60_000, 250);
  });

  it('shows the context, namespaces and pods of the cluster', async () => {
    const pods = await podsOf('ml');
    const pod = await child(pods, 'trainer-0', (n) => n.type === 'pod' && n.info.meta.name === 'trainer-0');
    assert.equal(pod.type, 'pod');
    await reveal(pod);
    await uiText('.monaco-list-row', /trainer-0/);
    // The namespace row is there too, and the pod's GPU shows.
    await uiText('.monaco-list-row', /^ml/);
    const { model: m } = await model();
    assert.match(m.present(pod).description ?? '', /Running · 1\/1 · 1 GPU/);
  });

  it('shows a pod added on the server without a refresh (watch)', async () => {
    const pods = await podsOf('ml');
    const before = cp.proxy.count({ verb: 'list', resource: 'pods', namespace: 'ml' });
    await cp.addPod({ name: 'trainer-1', namespace: 'ml', wait: false });
    await reveal(await child(pods, 'trainer-1 from the watch', (n) => n.type === 'pod' && n.info.meta.name === 'trainer-1'));
    await uiText('.monaco-list-row', /trainer-1/);
    assert.equal(cp.proxy.count({ verb: 'list', resource: 'pods', namespace: 'ml' }), before, 'the view relisted instead of using the watch');
  });

  it('follows logs, shows a restart, and loads the previous run', async () => {
    const pods = await podsOf('ml');
    const pod = await child(pods, 'trainer-0', (n) => n.type === 'pod' && n.info.meta.name === 'trainer-0');
    const log = await logText();
    const session = await vscode.commands.executeCommand<{ key: string }>('modeldock.kube.followLogs', pod);
    await waitFor('the first log lines', () => (log.of(session).includes('epoch 1 loss 0.93') ? true : undefined));
    await cp.restartContainer('ml', 'trainer-0', 'main', { reason: 'OOMKilled', exitCode: 137 });
    await cp.appendLog('ml', 'trainer-0', 'main', ['epoch 1 loss 0.91 (after restart)']);
    await waitFor('logs re-attached after the restart', () => (log.of(session).includes('after restart') ? true : undefined), 30_000);
    assert.match(log.of(session), /OOMKilled/);

    const prev = await vscode.commands.executeCommand<{ key: string }>('modeldock.kube.previousLogs', pod);
    await waitFor('previous logs', () => (log.of(prev).includes('CUDA out of memory') ? true : undefined));
    assert.doesNotMatch(log.of(prev), /after restart/);
    log.dispose();
  });

  it('describes a pod: the live object from the API server as YAML, without managedFields', async () => {
    const pods = await podsOf('ml');
    const pod = await child(pods, 'trainer-0', (n) => n.type === 'pod' && n.info.meta.name === 'trainer-0');
    await vscode.commands.executeCommand('modeldock.kube.describe', pod);
    const live = await cp.api.get(resourcePath('v1', 'pods', 'ml', 'trainer-0'));
    const doc = await waitFor('the describe document', () =>
      vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'modeldock-k8s' && /\/Pod\/trainer-0\.yaml$/.test(d.uri.path) && d.getText().includes('kind: Pod')),
    );
    const text = doc.getText();
    assert.equal(doc.languageId, 'yaml');
    assert.match(text, new RegExp(`uid: ${live.metadata.uid ?? 'missing'}`), 'the object the API server has');
    assert.match(text, /nodeName: gpu-node-1/);
    assert.match(text, /nvidia\.com\/gpu: "?1"?/);
    assert.match(text, /phase: Running/, 'status as kwok reported it');
    assert.doesNotMatch(text, /managedFields/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows 403 on a forbidden namespace as an error node and keeps the others working', async () => {
    await expand('ml', 'false'); // so the only Pods row on screen is the restricted namespace's
    const pods = await podsOf('restricted');
    const err = await child(pods, 'an error node', (n) => n.type === 'message' && n.kind === 'error');
    assert.equal(err.type, 'message');
    if (err.type === 'message') assert.match(err.text, /forbidden|403|not allowed/i);
    await reveal(err);
    await uiText('.monaco-list-row', /forbidden|not allowed/i);
    assert.ok(cp.proxy.filter({ user: 'alice', namespace: 'restricted', resource: 'pods' }).some((r) => r.status === 403), 'the API server said 403');
    // ml still lists.
    const ml = await podsOf('ml');
    assert.ok((await model()).model.getChildren(ml).some((n) => n.type === 'pod'));
  });

  it('applies the current manifest server-side after a dry-run diff', async () => {
    const file = path.join(workspaceRoot().fsPath, 'apply-test.yaml');
    fs.writeFileSync(
      file,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: ml\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n',
    );
    try {
      // alice may only read: the apply runs as the admin context, chosen in the view as a user would.
      const { model: m } = await model();
      const admin = await child(undefined, 'the test context', (n) => n.type === 'context' && n.info.name === 'test');
      assert.equal(await vscode.commands.executeCommand('modeldock.kube.switchContext', admin), 'test');
      await waitFor('the test context to be active', () => (m.activeContext === 'test' ? true : undefined), 30_000);
      // Its namespaces listed: the view has connected to it (a client exists for the apply).
      const adminNow = await child(undefined, 'the test context', (n) => n.type === 'context' && n.info.name === 'test');
      await child(adminNow, 'namespace ml as admin', (n) => n.type === 'namespace' && n.name === 'ml');
      assert.equal(m.client?.currentContext, 'test');
      // VS Code refuses modal dialogs in extension tests: the question is answered through the test API.
      const questions: string[] = [];
      const { api } = await activated();
      const answering = api.test.answerPrompts((q) => {
        questions.push(q.message);
        return q.buttons[0];
      });
      let applied: string[] | undefined;
      try {
        applied = await vscode.commands.executeCommand<string[]>('modeldock.kube.apply', vscode.Uri.file(file));
      } finally {
        answering.dispose();
      }
      assert.deepEqual(questions, ['Apply 1 object(s) to test?']);
      assert.deepEqual(applied, ['Deployment/web']);
      const obj = await cp.api.find<{ spec?: { replicas?: number }; metadata: { managedFields?: { manager?: string }[] } }>(resourcePath('apps/v1', 'deployments', 'ml', 'web'));
      assert.equal(obj?.spec?.replicas, 2);
      assert.ok(obj?.metadata.managedFields?.some((f) => f.manager === 'modeldock'), 'applied with the modeldock field manager');
      const diffTab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && /Dry-Run/.test(t.label));
      assert.ok(diffTab, 'the dry-run diff was not shown');
      assert.ok(cp.proxy.filter({ method: 'PATCH', resource: 'deployments', name: 'web' }).some((r) => r.params.get('dryRun') === 'All' && r.status === 201), 'no server-side dry run was made');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await removeFromWorkspace('apply-test.yaml');
    }
  });
});
