// The one typed config against package.json's contributes.configuration: the same keys, the
// same defaults, the same enums and ranges, and user-only reading for every machine-scoped
// setting. A setting added to one and not the other fails here.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SETTINGS, readSetting, type ConfigurationSource, type SettingKey } from '../../../src/platform/settings';

interface Declared {
  type?: string | string[];
  default?: unknown;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  scope?: string;
}
const declared = (JSON.parse(readFileSync('package.json', 'utf8')) as { contributes: { configuration: { properties: Record<string, Declared> } } }).contributes.configuration.properties;

function source(values: Record<string, { globalValue?: unknown; workspaceValue?: unknown; defaultValue?: unknown }>): ConfigurationSource {
  return {
    get: ((key: string) => {
      const v = values[key];
      return v ? (v.workspaceValue ?? v.globalValue ?? v.defaultValue) : undefined;
    }) as ConfigurationSource['get'],
    inspect: ((key: string) => (values[key] ? { key, ...values[key] } : undefined)) as ConfigurationSource['inspect'],
  };
}

describe('platform/config matches package.json', () => {
  const keys = Object.keys(SETTINGS) as SettingKey[];

  test('the same keys', () => {
    assert.deepEqual(keys.map((k) => `modeldock.${k}`).sort(), Object.keys(declared).sort());
  });

  test('the same defaults (as the reader understands the declared one)', () => {
    for (const k of keys) {
      const d = declared[`modeldock.${k}`]!;
      const spec = SETTINGS[k] as { default: unknown; parse(v: unknown): unknown };
      assert.deepEqual(spec.parse(d.default), spec.default, `${k}: package.json default ${JSON.stringify(d.default)}`);
    }
  });

  test('enums, minimums and maximums are enforced by the reader', () => {
    for (const k of keys) {
      const d = declared[`modeldock.${k}`]!;
      const spec = SETTINGS[k] as { parse(v: unknown): unknown };
      for (const e of d.enum ?? []) assert.equal(spec.parse(e), e, `${k} accepts ${e}`);
      if (d.enum) assert.equal(spec.parse('not-an-option'), undefined, `${k} refuses values outside its enum`);
      if (d.minimum !== undefined) {
        assert.equal(spec.parse(d.minimum), d.minimum, `${k} accepts its minimum`);
        assert.equal(spec.parse(d.minimum - 1), undefined, `${k} refuses below its minimum`);
      }
      if (d.maximum !== undefined) assert.equal(spec.parse(d.maximum + 1), undefined, `${k} refuses above its maximum`);
      if (d.type === 'boolean') assert.equal(spec.parse('true'), undefined, `${k}: a string is not a boolean`);
    }
  });

  test('every machine-scoped setting is read from user settings only', () => {
    for (const k of keys) {
      const machine = declared[`modeldock.${k}`]!.scope === 'machine';
      assert.equal(Boolean((SETTINGS[k] as { userOnly?: true }).userOnly), machine, `${k}: userOnly ⇔ scope machine`);
    }
  });
});

describe('readSetting', () => {
  test('a workspace value of a user-only setting is ignored; a bad value falls back to the default', () => {
    const cfg = source({
      'kube.kubeconfig': { defaultValue: '', workspaceValue: '/repo/evil' },
      'docker.host': { defaultValue: '', globalValue: 'unix:///mine.sock', workspaceValue: 'tcp://attacker:2375' },
      'scaffold.port': { defaultValue: 8080, workspaceValue: 99999 },
      'docker.gpus': { defaultValue: 'none', globalValue: 2 },
      'docker.env': { defaultValue: {}, globalValue: { A: '1', B: 2 } },
    });
    assert.deepEqual(readSetting(cfg, 'kube.kubeconfig'), []);
    assert.equal(readSetting(cfg, 'docker.host'), 'unix:///mine.sock');
    assert.equal(readSetting(cfg, 'scaffold.port'), 8080);
    assert.equal(readSetting(cfg, 'docker.gpus'), '2');
    assert.deepEqual(readSetting(cfg, 'docker.env'), { A: '1' });
    assert.equal(readSetting(cfg, 'containerize.ui'), 'wizard');
  });
});
