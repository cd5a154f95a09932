import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { kubeconfigPaths, mergeKubeconfigs, listContexts, kubeconfigText } from '../../../src/kube/kubeconfig';

const a = `apiVersion: v1
kind: Config
current-context: dev
clusters:
  - name: shared
    cluster: { server: https://a.example, certificate-authority: certs/ca.crt }
users:
  - name: me
    user: { client-certificate: me.crt, client-key: /abs/me.key, exec: { command: ./bin/login, apiVersion: client.authentication.k8s.io/v1 } }
contexts:
  - name: dev
    context: { cluster: shared, user: me, namespace: ml }
`;
const b = `apiVersion: v1
kind: Config
current-context: prod
clusters:
  - name: shared
    cluster: { server: https://b.example }
  - name: prod
    cluster: { server: https://prod.example }
users:
  - name: me
    user: { token: from-b }
  - name: ops
    user: { exec: { command: aws, apiVersion: client.authentication.k8s.io/v1 } }
contexts:
  - name: prod
    context: { cluster: prod, user: ops }
  - name: dev
    context: { cluster: prod, user: ops }
`;

describe('kubeconfig', () => {
  test('paths: setting beats KUBECONFIG beats ~/.kube/config; duplicates and empties dropped', () => {
    assert.deepEqual(kubeconfigPaths({ setting: '~/k.yaml', env: '/x', home: '/home/u' }), ['/home/u/k.yaml']);
    assert.deepEqual(kubeconfigPaths({ setting: [], env: '/a::/b:/a', home: '/h', delimiter: ':' }), ['/a', '/b']);
    assert.deepEqual(kubeconfigPaths({ env: '  ', home: '/h' }), ['/h/.kube/config']);
  });

  test('merge: first file wins per name and for current-context; relative paths resolve per file', () => {
    const { config, problems } = mergeKubeconfigs([
      { path: '/one/config', text: a },
      { path: '/two/config', text: b },
    ]);
    assert.deepEqual(problems, []);
    assert.equal(config['current-context'], 'dev');
    assert.deepEqual(config.clusters.map((c) => c.name), ['shared', 'prod']);
    assert.equal((config.clusters[0]?.cluster as Record<string, unknown>).server, 'https://a.example');
    assert.equal((config.clusters[0]?.cluster as Record<string, unknown>)['certificate-authority'], '/one/certs/ca.crt');
    const me = config.users[0]?.user as Record<string, unknown>;
    assert.equal(me['client-certificate'], '/one/me.crt');
    assert.equal(me['client-key'], '/abs/me.key');
    assert.equal((me.exec as Record<string, unknown>).command, '/one/bin/login');
    assert.equal(((config.users[1]?.user as Record<string, unknown>).exec as Record<string, unknown>).command, 'aws', 'bare command stays on PATH');
    assert.deepEqual(config.contexts.map((c) => c.name), ['dev', 'prod']);
    assert.equal((config.contexts[0]?.context as Record<string, unknown>).cluster, 'shared');
  });

  test('a broken file is reported and the rest still merge; empty files are fine', () => {
    const { config, problems } = mergeKubeconfigs([
      { path: '/bad', text: 'clusters: [unclosed' },
      { path: '/empty', text: '' },
      { path: '/two', text: b },
    ]);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.path, '/bad');
    assert.equal(config['current-context'], 'prod');
  });

  test('contexts: ModelDock\'s own choice overrides the file; unknown choice falls back', () => {
    const { config } = mergeKubeconfigs([{ path: '/two', text: b }]);
    assert.deepEqual(listContexts(config).map((c) => [c.name, c.current, c.server]), [
      ['prod', true, 'https://prod.example'],
      ['dev', false, 'https://prod.example'],
    ]);
    assert.equal(listContexts(config, 'dev').find((c) => c.current)?.name, 'dev');
    assert.equal(listContexts(config, 'nope').find((c) => c.current)?.name, 'prod');
    assert.match(kubeconfigText(config, 'dev'), /current-context: dev/);
  });
});
