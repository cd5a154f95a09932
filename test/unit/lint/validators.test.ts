// The precompiled (Ajv standalone) compose validator must report exactly what Ajv compiling the
// bundled schema at runtime with the same options reports: the error objects feed the messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { parseDocument } from 'yaml';
import { SchemaSet } from '../../../src/core/lint/schema';
import { VALIDATORS } from '../../../src/core/lint/generated';

const read = (f: string): { $id: string } => JSON.parse(readFileSync(`schemas/${f}`, 'utf8')) as { $id: string };

test('standalone validators give the same errors as a runtime Ajv compile', () => {
  const compose = read('compose-spec.json');
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, inlineRefs: false, validateSchema: false, code: { optimize: false } });
  ajv.addSchema(compose);
  const set = new SchemaSet();
  const runtime = (key: string): ReturnType<Ajv['getSchema']> => (key === 'compose' ? ajv.getSchema(compose.$id) : undefined);
  const inputs: unknown[] = [
    {},
    null,
    'text',
    [1],
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', lables: {} }, spec: { replicas: 'three', template: { spec: { containers: [{ image: 1, ports: [{ containerPort: '80', protocol: 'TCPX' }], resources: { limits: { 'nvidia.com/gpu': 0.5 } } }] } } } },
    { apiVersion: 'v1', kind: 'Service', spec: { ports: [{ port: '80', targetPort: true }], type: 'Cluster' } },
    { services: { m: { image: 'a', restart: 'sometimes', deploy: { resources: { reservations: { devices: [{ count: 'x' }] } } }, 'x-ok': 1, bogus: 2 } } },
    { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name: 'm' }, spec: { predictor: { model: { storageUri: 3 }, minReplicas: -1 } } },
  ];
  for (const f of ['test/fixtures/lint/project/bad.yaml', 'test/fixtures/lint/project/nested/warn.yml']) {
    for (const d of readFileSync(f, 'utf8').split(/^---$/m)) inputs.push(parseDocument(d).toJS());
  }
  assert.deepEqual(Object.keys(VALIDATORS), ['compose']);
  for (const key of Object.keys(VALIDATORS)) {
    const fast = set.validator(key);
    const slow = runtime(key);
    assert.ok(fast && slow, key);
    for (const input of inputs) {
      const a: boolean = fast(input);
      const b = (slow(input) as boolean);
      assert.equal(a, b, `${key}: verdict`);
      assert.deepEqual(fast.errors ?? null, slow.errors ?? null, `${key}: errors for ${JSON.stringify(input)}`);
    }
  }
});
