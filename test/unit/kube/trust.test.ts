/**
 * Hostile workspaces: a repository's kubeconfig must not run code or receive the user's
 * credentials. Real files in a scratch "home" and "workspace", a real exec plugin that leaves a
 * marker when it runs, and a real HTTP server that records every Authorization header it gets.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { createClusterClient, isKubeError, loadKubeconfig } from '../../../src/kube';
import { kubeconfigText, refusalFor } from '../../../src/kube/kubeconfig';
import { markerPlugin, namespaceList, scratch, sendJson, startMiniApi, writeKubeconfig, type MiniApi } from './miniApi';

const posix = process.platform !== 'win32';

describe('kubeconfig trust', () => {
  let root: Awaited<ReturnType<typeof scratch>>;
  let home: string;
  let ws: string;
  let realServer: MiniApi;
  let attacker: MiniApi;

  before(async () => {
    root = await scratch('trust');
    home = join(root.dir, 'home');
    ws = join(root.dir, 'repo');
    await fs.mkdir(join(home, '.kube'), { recursive: true });
    await fs.mkdir(ws, { recursive: true });
    const answer = (_req: unknown, res: import('node:http').ServerResponse) => sendJson(res, 200, namespaceList(['default']));
    realServer = await startMiniApi(answer);
    attacker = await startMiniApi(answer);
  });
  after(async () => {
    await realServer.close();
    await attacker.close();
    await root.remove();
  });

  test('an exec plugin in a workspace kubeconfig never runs, even when the user lists the file', async () => {
    const plugin = await markerPlugin(ws, 'ws-exec');
    const file = await writeKubeconfig(join(ws, 'kubeconfig'), {
      current: 'evil',
      clusters: { evil: { server: attacker.url, 'insecure-skip-tls-verify': true } },
      users: { evil: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin.command, interactiveMode: 'Never' } } },
      contexts: { evil: { cluster: 'evil', user: 'evil' } },
    });
    const loaded = await loadKubeconfig({ env: file, home, workspaceFolders: [ws] });
    assert.equal(loaded.trust?.get(file)?.workspaceFolder, await fs.realpath(ws));
    await assert.rejects(createClusterClient({ kubeconfig: loaded, context: 'evil' }), (err: unknown) => {
      assert.ok(isKubeError(err, 'untrusted-config'));
      assert.match(err.message, /does not run the exec plugin .*ws-exec\.sh.* lies in the workspace folder/);
      assert.match(err.info.hint ?? '', /outside the workspace/);
      return true;
    });
    assert.equal(await plugin.ran(), false, 'the plugin ran');
    assert.equal(attacker.count(), 0);
  });

  test('an auth-provider cmd-path (run through a shell by client-node) in a workspace file never runs', async () => {
    const marker = join(ws, 'gcp.ran');
    const file = await writeKubeconfig(join(ws, 'gcp-kubeconfig'), {
      current: 'gke',
      clusters: { gke: { server: attacker.url, 'insecure-skip-tls-verify': true } },
      users: { gke: { 'auth-provider': { name: 'gcp', config: { 'cmd-path': `touch ${marker}`, 'cmd-args': '' } } } },
      contexts: { gke: { cluster: 'gke', user: 'gke' } },
    });
    const loaded = await loadKubeconfig({ setting: file, home, workspaceFolders: [ws] });
    const client = createClusterClient({ kubeconfig: loaded, context: 'gke' });
    await assert.rejects(client, (err: unknown) => isKubeError(err, 'untrusted-config') && /auth-provider "gcp" \(runs "touch/.test(err.message));
    await assert.rejects(fs.access(marker));
  });

  test('a symlink into the workspace counts as the workspace file it points to', async () => {
    const plugin = await markerPlugin(ws, 'linked-exec');
    const target = await writeKubeconfig(join(ws, 'linked-kubeconfig'), {
      current: 'x',
      clusters: { x: { server: attacker.url, 'insecure-skip-tls-verify': true } },
      users: { x: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin.command } } },
      contexts: { x: { cluster: 'x', user: 'x' } },
    });
    const link = join(root.dir, 'outside-link');
    await fs.symlink(target, link);
    const loaded = await loadKubeconfig({ setting: link, home, workspaceFolders: [ws] });
    assert.ok(refusalFor(loaded, 'x'));
    await assert.rejects(createClusterClient({ kubeconfig: loaded, context: 'x' }), /does not run the exec plugin/);
    assert.equal(await plugin.ran(), false);
  });

  test("merged with the user's config, a workspace file that redefines the user's cluster gets no token", async () => {
    const mine = await writeKubeconfig(join(home, '.kube', 'config'), {
      current: 'prod',
      clusters: { prod: { server: realServer.url, 'insecure-skip-tls-verify': true } },
      users: { admin: { token: 'users-real-token' } },
      contexts: { prod: { cluster: 'prod', user: 'admin' } },
    });
    // The repository's file comes first in KUBECONFIG (direnv does this), so its `prod` cluster wins.
    const theirs = await writeKubeconfig(join(ws, '.kubeconfig'), {
      clusters: { prod: { server: attacker.url, 'insecure-skip-tls-verify': true } },
      contexts: { prod: { cluster: 'prod', user: 'admin' } },
    });
    const loaded = await loadKubeconfig({ env: `${theirs}:${mine}`, delimiter: ':', home, workspaceFolders: [ws] });
    assert.equal(loaded.origins?.clusters.get('prod'), theirs);
    assert.equal(loaded.origins?.users.get('admin'), mine);
    const before = attacker.count();
    await assert.rejects(createClusterClient({ kubeconfig: loaded, context: 'prod' }), (err: unknown) => {
      assert.ok(isKubeError(err, 'untrusted-config'));
      assert.match(err.message, /would send the credentials of user "admin" .* to cluster "prod", defined in .*\.kubeconfig, which lies in the workspace folder/);
      return true;
    });
    assert.equal(attacker.count(), before);
    assert.ok(!attacker.requests.some((r) => r.authorization?.includes('users-real-token')));

    // Without the workspace file the same context works and the token goes to the user's server.
    const own = await loadKubeconfig({ env: mine, home, workspaceFolders: [ws] });
    const client = await createClusterClient({ kubeconfig: own, context: 'prod' });
    try {
      await client.listNamespaces();
    } finally {
      client.dispose();
    }
    assert.equal(realServer.requests.at(-1)?.authorization, 'Bearer users-real-token');
  });

  test('a workspace file may not read files outside the workspace (tokenFile through a symlink, CA)', async () => {
    const secret = join(home, 'secret-token');
    await fs.writeFile(secret, 'users-file-token', { mode: 0o600 });
    await fs.symlink(secret, join(ws, 'token-link'));
    const file = await writeKubeconfig(join(ws, 'tokenfile-kubeconfig'), {
      current: 'tf',
      clusters: { tf: { server: attacker.url, 'insecure-skip-tls-verify': true }, ca: { server: attacker.url, 'certificate-authority': join(home, '.kube', 'config') } },
      users: { tf: { tokenFile: 'token-link' }, ok: { token: 'workspace-own-token' } },
      contexts: { tf: { cluster: 'tf', user: 'tf' }, ca: { cluster: 'ca', user: 'ok' }, fine: { cluster: 'tf', user: 'ok' } },
    });
    const loaded = await loadKubeconfig({ setting: file, home, workspaceFolders: [ws] });
    assert.match(refusalFor(loaded, 'tf')?.message ?? '', /reads tokenFile .*token-link, outside the workspace folder/);
    assert.match(refusalFor(loaded, 'ca')?.message ?? '', /reads certificate-authority .* outside the workspace folder/);
    assert.equal(refusalFor(loaded, 'fine'), undefined, "the workspace's own token for its own cluster is its business");
    const before = attacker.count();
    await assert.rejects(createClusterClient({ kubeconfig: loaded, context: 'tf' }), (err: unknown) => isKubeError(err, 'untrusted-config'));
    assert.equal(attacker.count(), before);
  });

  test("the user's own kubeconfig outside the workspace runs its exec plugin", async () => {
    const plugin = await markerPlugin(join(home, '.kube'), 'own-exec', 'own-plugin-token');
    const file = await writeKubeconfig(join(home, 'own-kubeconfig'), {
      current: 'own',
      clusters: { own: { server: realServer.url, 'insecure-skip-tls-verify': true } },
      users: { own: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin.command, interactiveMode: 'Never' } } },
      contexts: { own: { cluster: 'own', user: 'own' } },
    });
    const loaded = await loadKubeconfig({ setting: file, home, workspaceFolders: [ws] });
    const client = await createClusterClient({ kubeconfig: loaded, context: 'own' });
    try {
      await client.listNamespaces();
    } finally {
      client.dispose();
    }
    assert.equal(await plugin.ran(), true);
    assert.equal(realServer.requests.at(-1)?.authorization, 'Bearer own-plugin-token');
  });

  test('~/.kube stays the user\'s even when the workspace folder is the home directory', async () => {
    const plugin = await markerPlugin(join(home, '.kube'), 'home-ws');
    const file = await writeKubeconfig(join(home, '.kube', 'config-homews'), {
      current: 'h',
      clusters: { h: { server: realServer.url, 'insecure-skip-tls-verify': true } },
      users: { h: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin.command } } },
      contexts: { h: { cluster: 'h', user: 'h' } },
    });
    const loaded = await loadKubeconfig({ setting: file, home, workspaceFolders: [home] });
    assert.equal(loaded.trust?.get(file)?.workspaceFolder, undefined);
    assert.equal(refusalFor(loaded, 'h'), undefined);
  });

  test('a world-writable kubeconfig does not run its exec plugin', { skip: posix ? false : 'POSIX permissions' }, async () => {
    const plugin = await markerPlugin(root.dir, 'ww-exec');
    const file = await writeKubeconfig(
      join(root.dir, 'world-writable'),
      {
        current: 'w',
        clusters: { w: { server: realServer.url, 'insecure-skip-tls-verify': true } },
        users: { w: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin.command } } },
        contexts: { w: { cluster: 'w', user: 'w' } },
      },
      0o666,
    );
    const loaded = await loadKubeconfig({ setting: file, home });
    assert.equal(loaded.trust?.get(file)?.owned, false);
    await assert.rejects(createClusterClient({ kubeconfig: loaded, context: 'w' }), /not owned by you or can be written by anyone/);
    assert.equal(await plugin.ran(), false);
  });

  test('client-node only ever sees the chosen context, its cluster and its user', () => {
    const text = kubeconfigText(
      {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'a', cluster: { server: 'https://a' } },
          { name: 'b', cluster: { server: 'https://b' } },
        ],
        users: [
          { name: 'ua', user: { token: 't' } },
          { name: 'ub', user: { exec: { command: 'x' } } },
        ],
        contexts: [
          { name: 'A', context: { cluster: 'a', user: 'ua' } },
          { name: 'B', context: { cluster: 'b', user: 'ub' } },
        ],
      },
      'A',
    );
    assert.match(text, /current-context: A/);
    assert.doesNotMatch(text, /https:\/\/b|exec|name: B/);
  });

  test('odd files: a directory or FIFO in the setting is a problem, not a hang', { skip: posix ? false : 'FIFOs' }, async () => {
    const dirPath = join(root.dir, 'a-directory');
    await fs.mkdir(dirPath);
    const fifo = join(root.dir, 'a-fifo');
    execFileSync('mkfifo', [fifo]);
    const loaded = await loadKubeconfig({ setting: [dirPath, fifo], home });
    assert.deepEqual(loaded.found, []);
    assert.deepEqual(loaded.problems.map((p) => p.message), ['not a regular file', 'not a regular file']);
  });
});
