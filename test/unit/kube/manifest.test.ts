import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

interface Setting {
  scope?: string;
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
  contributes: { configuration: { properties: Record<string, Setting> }; commands: { command: string }[]; menus: Record<string, { command: string; when?: string }[]> };
};
const cluster = JSON.parse(readFileSync('src/features/cluster/contributes.json', 'utf8')) as {
  commands: unknown[];
  configuration: { properties: Record<string, unknown> };
  menus: Record<string, unknown[]>;
};

describe('manifest: settings a workspace must not choose', () => {
  const restricted = new Set(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations);
  const props = pkg.contributes.configuration.properties;

  test('every setting that names a kubeconfig, a Docker host or a host path is restricted', () => {
    for (const key of ['modeldock.kube.kubeconfig', 'modeldock.kube.writeCurrentContext', 'modeldock.docker.host', 'modeldock.docker.modelFolder']) {
      assert.ok(props[key], `${key} is declared`);
      assert.ok(restricted.has(key), `${key} is not in restrictedConfigurations`);
    }
    for (const key of restricted) assert.ok(props[key], `restrictedConfigurations names an undeclared setting ${key}`);
  });

  test('the kubeconfig settings are machine-scoped (VS Code never reads them from a workspace)', () => {
    assert.equal(props['modeldock.kube.kubeconfig']?.scope, 'machine');
    assert.equal(props['modeldock.kube.writeCurrentContext']?.scope, 'machine');
  });

  test("the cluster feature's contributes.json matches package.json", () => {
    for (const c of cluster.commands) assert.ok(pkg.contributes.commands.some((p) => JSON.stringify(p) === JSON.stringify(c)), JSON.stringify(c));
    for (const [k, v] of Object.entries(cluster.configuration.properties)) assert.deepEqual(props[k], v, k);
    for (const [menu, items] of Object.entries(cluster.menus)) {
      for (const item of items) assert.ok((pkg.contributes.menus[menu] ?? []).some((p) => JSON.stringify(p) === JSON.stringify(item)), `${menu}: ${JSON.stringify(item)}`);
    }
    const ids = new Set(pkg.contributes.commands.map((c) => c.command));
    for (const id of ['modeldock.kube.connect']) assert.ok(ids.has(id), id);
  });
});
