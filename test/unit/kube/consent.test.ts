/**
 * Untrusted workspace: the Clusters view shows the user's contexts but talks to no cluster (and
 * runs no credential plugin) until the user asks. A real client, a real exec plugin and a real
 * HTTP server that counts what it gets.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { promises as fs } from 'node:fs';
import { ClusterTreeModel, createClusterClient, loadKubeconfig, type TreeNode } from '../../../src/kube';
import { kubeTestApi } from '../../helpers/kubeTestApi';
import { markerPlugin, namespaceList, scratch, sendJson, startMiniApi, startWatch, writeKubeconfig, type MiniApi } from './miniApi';

describe('tree model: connect only when asked', () => {
  let root: Awaited<ReturnType<typeof scratch>>;
  let api: MiniApi;
  let file: string;
  let plugin: Awaited<ReturnType<typeof markerPlugin>>;

  before(async () => {
    // client-node takes seconds to load on a busy machine; not inside the tests' deadlines.
    await import('@kubernetes/client-node');
    root = await scratch('consent');
    api = await startMiniApi((_req, res, url) => {
      if (url.searchParams.get('watch')) return startWatch(res); // stays open, says nothing
      sendJson(res, 200, namespaceList(['default', 'ml']));
    });
    await fs.mkdir(join(root.dir, '.kube'));
    plugin = await markerPlugin(join(root.dir, '.kube'), 'login', 'consented-token');
    file = await writeKubeconfig(join(root.dir, '.kube', 'config'), {
      current: 'dev',
      clusters: { dev: { server: api.url, 'insecure-skip-tls-verify': true } },
      users: { me: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin.command, interactiveMode: 'Never' } } },
      contexts: { dev: { cluster: 'dev', user: 'me' }, other: { cluster: 'dev', user: 'me' } },
    });
  });
  after(async () => {
    await api.close();
    await root.remove();
  });

  test('a Connect node instead of a connection; connect() starts it', async () => {
    let created = 0;
    const model = new ClusterTreeModel({
      loadKubeconfig: () => loadKubeconfig({ setting: file, home: root.dir }),
      createClient: (kc, context) => {
        created++;
        return createClusterClient({ kubeconfig: kc, context });
      },
      autoConnect: false,
      coalesceMs: 5,
    });
    try {
      const roots = await kubeTestApi.resolveChildren(model, undefined);
      const ctx = roots.find((n): n is Extract<TreeNode, { type: 'context' }> => n.type === 'context' && n.info.current);
      assert.ok(ctx, 'the contexts are listed (reading the file is not connecting)');
      assert.equal(model.present(ctx).collapsible, 'expanded');
      // Commands act only on nodes the tree handed out, never on a look-alike (a command link's JSON).
      assert.equal(model.owns(ctx), true);
      assert.equal(model.owns(JSON.parse(JSON.stringify(ctx))), false);
      assert.equal(model.owns({ type: 'pod', id: 'x', info: { meta: { name: 'prod-db', namespace: 'prod' } } }), false);
      const children = model.getChildren(ctx);
      assert.equal(children.length, 1);
      const connect = children[0]!;
      assert.ok(connect.type === 'message' && connect.kind === 'connect');
      assert.equal(model.present(connect).contextValue, 'modeldock.message.connect');
      assert.equal(model.connection, 'needs-consent');
      // Switching context, refreshing and hiding/showing the view are not consent either.
      model.switchContext('other');
      model.refresh();
      await kubeTestApi.resolveChildren(model, undefined);
      model.setVisible(false);
      model.setVisible(true);
      const other = model.getChildren(undefined).find((n) => n.type === 'context' && n.info.current);
      assert.ok(other?.type === 'context' && other.info.name === 'other');
      assert.equal(model.getChildren(other)[0]?.type === 'message' && (model.getChildren(other)[0] as { kind: string }).kind, 'connect');
      assert.equal(created, 0, 'a client was created');
      assert.equal(api.count(), 0, 'the cluster was contacted');
      assert.equal(await plugin.ran(), false, 'the credential plugin ran');

      model.connect();
      const namespaces = await kubeTestApi.resolveChildren(model, other, 30_000);
      assert.deepEqual(namespaces.flatMap((n) => (n.type === 'namespace' ? [n.name] : [])), ['default', 'ml']);
      assert.equal(model.connection, 'connected');
      assert.equal(created, 1);
      assert.equal(await plugin.ran(), true);
      assert.equal(api.requests[0]?.authorization, 'Bearer consented-token');
    } finally {
      model.dispose();
    }
  });

  test('setAutoConnect(true) (the workspace became trusted) connects without a click', async () => {
    const model = new ClusterTreeModel({
      loadKubeconfig: () => loadKubeconfig({ setting: file, home: root.dir }),
      createClient: (kc, context) => createClusterClient({ kubeconfig: kc, context }),
      autoConnect: false,
      coalesceMs: 5,
    });
    try {
      const ctx = (await kubeTestApi.resolveChildren(model, undefined)).find((n) => n.type === 'context' && n.info.current);
      assert.equal(model.connection, 'needs-consent');
      model.setAutoConnect(true);
      const namespaces = await kubeTestApi.resolveChildren(model, ctx, 30_000);
      assert.ok(namespaces.some((n) => n.type === 'namespace' && n.name === 'ml'));
    } finally {
      model.dispose();
    }
  });
});
