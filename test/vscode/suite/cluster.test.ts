import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TreeNode } from '../../../src/kube';
import { startKubeTestServer, type KubeTestServer } from '../../kube-server';
import { activated, removeFromWorkspace, ui, uiText, waitFor, workspaceRoot } from './helpers';

/** Collects what the Clusters view writes to one log session, through ModelDockApi.cluster.logs. */
async function logText(): Promise<{ of(session: { key: string }): string; dispose(): void }> {
  const lines: { session: string; line: string }[] = [];
  const sub = (await activated()).api.cluster.logs.onDidWrite((w) => lines.push(w));
  return { of: (s) => lines.filter((l) => l.session === s.key).map((l) => l.line).join('\n'), dispose: () => sub.dispose() };
}

// The Clusters view against the Kubernetes API test server (HTTPS, bearer token, watches),
// driven through the real tree view and read back from the workbench's DOM.
describe('Clusters view (Kubernetes API test server)', function () {
  let server: KubeTestServer;
  const cfg = () => vscode.workspace.getConfiguration('modeldock.kube');

  before(async () => {
    server = await startKubeTestServer();
    server.addNamespace('ml');
    server.addNamespace('restricted');
    server.addPod({ name: 'trainer-0', namespace: 'ml', containers: [{ name: 'main', image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', gpus: 1 }], nodeName: 'gpu-node-1' });
    server.appendLog('ml', 'trainer-0', 'main', ['epoch 1 loss 0.93', 'RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB']);
    server.forbid({ namespace: 'restricted', resources: ['pods'] });
    const kubeconfig = await server.writeKubeconfig();
    await cfg().update('kubeconfig', kubeconfig, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('modeldock.views.cluster.focus');
  });

  after(async () => {
    await cfg().update('kubeconfig', undefined, vscode.ConfigurationTarget.Global);
    await server?.stop();
  });

  async function model() {
    return (await activated()).api.cluster;
  }

  /** Expands a row of the Clusters view the way a person does: a click on its label. */
  async function expand(label: string, want: 'true' | 'false' = 'true'): Promise<void> {
    const row = '.monaco-list-row';
    const where = { child: '.label-name', text: label };
    const other = want === 'true' ? 'false' : 'true';
    let values: (string | null)[] = [];
    await waitFor(
      () => `row ${label} to become aria-expanded=${want} (saw ${JSON.stringify(values)})`,
      async () => {
        values = (await ui({ op: 'attr', selector: row, name: 'aria-expanded', where })).values ?? [];
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

  /** Expands context → namespace → Pods in the real tree and returns the model's Pods node. */
  async function podsOf(ns: string): Promise<TreeNode> {
    await vscode.commands.executeCommand('modeldock.views.cluster.focus');
    const ctx = await child(undefined, 'the test context', (n) => n.type === 'context' && n.info.name === 'test');
    await expand('test');
    const nsNode = await child(ctx, `namespace ${ns}`, (n) => n.type === 'namespace' && n.name === ns);
    await expand(ns);
    const pods = await child(nsNode, `Pods of ${ns}`, (n) => n.type === 'group' && n.group === 'pods');
    await expand(`Pods`);
    return pods;
  }

  it('shows the context, namespaces and pods of the cluster', async () => {
    const pods = await podsOf('ml');
    const pod = await child(pods, 'trainer-0', (n) => n.type === 'pod' && n.info.meta.name === 'trainer-0');
    assert.equal(pod.type, 'pod');
    await uiText('.monaco-list-row', /trainer-0/);
    // The context row marks the current context; the namespace row is there too.
    await uiText('.monaco-list-row', /^ml/);
  });

  it('shows a pod added on the server without a refresh (watch)', async () => {
    const pods = await podsOf('ml');
    const before = server.countRequests({ verb: 'list', resource: 'pods' });
    server.addPod({ name: 'trainer-1', namespace: 'ml', containers: [{ name: 'main' }] });
    await child(pods, 'trainer-1 from the watch', (n) => n.type === 'pod' && n.info.meta.name === 'trainer-1');
    await uiText('.monaco-list-row', /trainer-1/);
    assert.equal(server.countRequests({ verb: 'list', resource: 'pods' }), before, 'the view relisted instead of using the watch');
  });

  it('follows logs, shows a restart, and loads the previous run', async () => {
    const pods = await podsOf('ml');
    const pod = await child(pods, 'trainer-0', (n) => n.type === 'pod' && n.info.meta.name === 'trainer-0');
    const log = await logText();
    const session = await vscode.commands.executeCommand<{ key: string }>('modeldock.kube.followLogs', pod);
    await waitFor('the first log lines', () => (log.of(session).includes('epoch 1 loss 0.93') ? true : undefined));
    server.restartContainer('ml', 'trainer-0', 'main', { reason: 'OOMKilled', exitCode: 137 });
    server.appendLog('ml', 'trainer-0', 'main', ['epoch 1 loss 0.91 (after restart)']);
    await waitFor('logs re-attached after the restart', () => (log.of(session).includes('after restart') ? true : undefined), 30_000);
    assert.match(log.of(session), /OOMKilled/);

    const prev = await vscode.commands.executeCommand<{ key: string }>('modeldock.kube.previousLogs', pod);
    await waitFor('previous logs', () => (log.of(prev).includes('CUDA out of memory') ? true : undefined));
    assert.doesNotMatch(log.of(prev), /after restart/);
    log.dispose();
  });

  it('shows 403 on a forbidden namespace as an error node and keeps the others working', async () => {
    await expand('ml', 'false'); // so the only Pods row on screen is the restricted namespace's
    const pods = await podsOf('restricted');
    const err = await child(pods, 'an error node', (n) => n.type === 'message' && n.kind === 'error');
    assert.equal(err.type, 'message');
    if (err.type === 'message') assert.match(err.text, /forbidden|403|not allowed/i);
    await uiText('.monaco-list-row', /forbidden|not allowed/i);
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
      await podsOf('ml'); // makes sure a client for the context exists
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
      const obj = server.getObject('deployments', 'ml', 'web') as { spec?: { replicas?: number } } | undefined;
      assert.equal(obj?.spec?.replicas, 2);
      const diffTab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && /Dry-Run/.test(t.label));
      assert.ok(diffTab, 'the dry-run diff was not shown');
      assert.ok(server.requests.some((r) => r.method === 'PATCH' && /dryRun=All/.test(r.query)), 'no server-side dry run was made');
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await removeFromWorkspace('apply-test.yaml');
    }
  });
});
