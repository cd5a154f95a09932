import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readKubeSettings } from '../../../src/features/cluster/settings';
import type { ConfigurationSource as KubeConfiguration } from '../../../src/platform/settings';

type Scope = 'defaultValue' | 'globalValue' | 'workspaceValue' | 'workspaceFolderValue';

/**
 * A configuration answering get() and inspect() the way VS Code merges scopes (folder beats
 * workspace beats user beats default): what readKubeSettings gets inside the extension host.
 * Outside the host there is no VS Code configuration service to ask, so this stands in for it.
 */
function configuration(values: Record<string, Partial<Record<Scope, unknown>>>): KubeConfiguration {
  // Keys arrive as the `modeldock` section names them (`kube.kubeconfig`).
  const local = (key: string): string => key.replace(/^kube\./, '');
  const merged = (key: string): unknown => {
    const v = values[local(key)] ?? {};
    for (const s of ['workspaceFolderValue', 'workspaceValue', 'globalValue', 'defaultValue'] as const) if (v[s] !== undefined) return v[s];
    return undefined;
  };
  return {
    get: ((key: string, fallback?: unknown) => merged(key) ?? fallback) as KubeConfiguration['get'],
    inspect: ((key: string) => (values[local(key)] ? { key: `modeldock.${key}`, ...values[local(key)] } : undefined)) as KubeConfiguration['inspect'],
  };
}

describe('kube settings: scope rules', () => {
  const hostile = '/repo/.kube/evil-config';

  test('kubeconfig from the workspace or a folder is ignored; the user value or the default counts', () => {
    for (const scope of ['workspaceValue', 'workspaceFolderValue'] as const) {
      const onlyWorkspace = readKubeSettings(configuration({ kubeconfig: { defaultValue: '', [scope]: hostile } }));
      assert.deepEqual(onlyWorkspace.kubeconfig, [], `${scope} was used`);
      const both = readKubeSettings(configuration({ kubeconfig: { defaultValue: '', globalValue: '~/.kube/mine', [scope]: [hostile] } }));
      assert.deepEqual(both.kubeconfig, ['~/.kube/mine'], `${scope} overrode the user's value`);
    }
    assert.deepEqual(readKubeSettings(configuration({ kubeconfig: { defaultValue: '', globalValue: ['/a', ' ', 7, '/b'] } })).kubeconfig, ['/a', '/b']);
    assert.deepEqual(readKubeSettings(configuration({ kubeconfig: { defaultValue: '' } })).kubeconfig, []);
    assert.deepEqual(readKubeSettings(configuration({})).kubeconfig, []);
  });

  test('writeCurrentContext (it writes to the kubeconfig) is also user-only', () => {
    assert.equal(readKubeSettings(configuration({ writeCurrentContext: { defaultValue: false, workspaceValue: true } })).writeCurrentContext, false);
    assert.equal(readKubeSettings(configuration({ writeCurrentContext: { defaultValue: false, workspaceFolderValue: true } })).writeCurrentContext, false);
    assert.equal(readKubeSettings(configuration({ writeCurrentContext: { defaultValue: false, globalValue: true, workspaceValue: false } })).writeCurrentContext, true);
  });

  test('harmless display settings still follow the workspace; bad types fall back', () => {
    const s = readKubeSettings(
      configuration({
        favoriteNamespaces: { defaultValue: [], workspaceValue: ['ml', 3] },
        'logs.tailLines': { defaultValue: 500, workspaceValue: -4 },
        'logs.timestamps': { defaultValue: false, workspaceValue: true },
      }),
    );
    assert.deepEqual(s.favoriteNamespaces, ['ml']);
    assert.equal(s.logTailLines, 500);
    assert.equal(s.logTimestamps, true);
  });
});
