import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../../../src/kube/backoff';
import { Coalescer, DisposableStore } from '../../../src/kube/batch';
import { describeYaml, forDiff } from '../../../src/kube/describe';
import { errorFromStatus, errorFromTransport } from '../../../src/kube/errors';
import { parseManifests } from '../../../src/kube/client';

describe('backoff', () => {
  test('doubles up to the cap, jitter keeps half as a floor, reset starts over', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 1 });
    assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
    b.reset();
    assert.equal(b.next(), 100);
    const low = new Backoff({ initialMs: 100, random: () => 0 });
    assert.equal(low.next(), 50);
    const none = new Backoff({ initialMs: 100, jitter: 0, random: () => 0 });
    assert.equal(none.next(), 100);
  });
});

describe('coalescer', () => {
  test('one flush per burst, with every distinct key; nothing scheduled when idle', async () => {
    const flushed: string[][] = [];
    let done!: () => void;
    const firstFlush = new Promise<void>((r) => (done = r));
    const c = new Coalescer<string>(5, (keys) => {
      flushed.push([...keys]);
      done();
    });
    assert.equal(c.size, 0);
    for (let i = 0; i < 1000; i++) c.add(i % 2 ? 'pod-a' : 'group');
    await firstFlush;
    assert.deepEqual(flushed, [['group', 'pod-a']]);
    c.fire();
    assert.equal(flushed.length, 1, 'an empty flush does nothing');
    c.add('x');
    c.dispose();
    c.fire();
    assert.equal(flushed.length, 1, 'disposed: pending keys dropped');
  });

  test('DisposableStore disposes in reverse and survives a throwing item', () => {
    const order: number[] = [];
    const s = new DisposableStore();
    s.add({ dispose: () => order.push(1) });
    s.add({ dispose: () => { throw new Error('boom'); } });
    s.add({ dispose: () => order.push(3) });
    s.dispose();
    assert.deepEqual(order, [3, 1]);
    s.add({ dispose: () => order.push(4) });
    assert.deepEqual(order, [3, 1, 4], 'adding to a disposed store disposes at once');
  });
});

describe('describe YAML', () => {
  const obj = {
    status: { phase: 'Running' },
    spec: { containers: [{ name: 'm' }] },
    metadata: {
      name: 'p',
      namespace: 'ml',
      resourceVersion: '12',
      managedFields: [{ manager: 'kubectl' }],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', team: 'ml' },
    },
    kind: 'Pod',
    apiVersion: 'v1',
  };
  test('kubectl order, no managedFields or last-applied blob', () => {
    const y = describeYaml(obj);
    assert.ok(y.startsWith('apiVersion: v1\nkind: Pod\nmetadata:'));
    assert.doesNotMatch(y, /managedFields|last-applied/);
    assert.match(y, /team: ml/);
    assert.ok(y.indexOf('spec:') < y.indexOf('status:'));
  });
  test('diff form drops fields that change on every write', () => {
    assert.doesNotMatch(forDiff(obj), /resourceVersion/);
    assert.equal(forDiff(undefined), '');
  });
});

describe('errors and manifests', () => {
  test('Status bodies become actionable errors', () => {
    const e = errorFromStatus(403, { kind: 'Status', code: 403, reason: 'Forbidden', message: 'pods is forbidden: User "a" cannot list' }, { verb: 'list', resource: 'pods', namespace: 'x' });
    assert.equal(e.info.kind, 'forbidden');
    assert.equal(e.info.namespace, 'x');
    assert.match(e.message, /forbidden/);
    const u = errorFromStatus(401, '<html>');
    assert.equal(u.info.kind, 'unauthorized');
    assert.match(u.info.hint ?? '', /log in/);
    assert.equal(errorFromTransport(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'https://k').info.kind, 'unreachable');
    assert.equal(errorFromTransport(new Error('self-signed certificate in certificate chain'), 'https://k').info.kind, 'tls');
  });
  test('manifests: multi-doc, empty docs skipped, non-objects rejected', () => {
    const docs = parseManifests('---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n');
    assert.deepEqual(docs.map((d) => d.kind), ['ConfigMap', 'Service']);
    assert.throws(() => parseManifests('just: text\n'), /not a Kubernetes object/);
  });
});
