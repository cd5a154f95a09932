import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

interface Setting {
  scope?: string;
}
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  capabilities: { untrustedWorkspaces: { restrictedConfigurations: string[] } };
  contributes: { configuration: { properties: Record<string, Setting> }; commands: { command: string }[]; menus: Record<string, { command: string; when?: string }[]> };
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

});

describe('cluster commands: one file each, one table', () => {
  const dir = 'src/features/cluster/commands';
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts');
  const table = readFileSync(`${dir}/index.ts`, 'utf8');
  const contributed = pkg.contributes.commands.map((c) => c.command).filter((id) => id.startsWith('modeldock.kube.'));

  test('every contributed modeldock.kube command has exactly one file, registered in the table', () => {
    const idsByFile = new Map(files.map((f) => [f, [...readFileSync(`${dir}/${f}`, 'utf8').matchAll(/id: '(modeldock\.kube\.[A-Za-z]+)'/g)].map((m) => m[1])]));
    for (const [f, ids] of idsByFile) {
      assert.equal(ids.length, 1, `${f} declares ${ids.length} commands`);
      assert.match(f, /^[a-z]+[A-Z][A-Za-z]*\.ts$/, `${f}: verbNoun file name`);
      const factory = /export function (\w+Command)\(/.exec(readFileSync(`${dir}/${f}`, 'utf8'))?.[1];
      assert.ok(factory && new RegExp(`\\b${factory},`).test(table), `${f}: ${factory} is not in the table`);
    }
    const declared = [...idsByFile.values()].flat();
    assert.deepEqual([...declared].sort(), [...contributed].sort());
  });
});
