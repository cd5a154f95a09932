import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff, ReconnectPolicy } from '../../../src/kube/backoff';
import { LineBuffer } from '../../../src/kube/lines';
import { DEFAULT_RECONNECT } from '../../../src/kube/tuning';
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

describe('reconnect policy', () => {
  const make = (over: Partial<typeof DEFAULT_RECONNECT> = {}) => {
    let t = 0;
    const policy = new ReconnectPolicy({ ...DEFAULT_RECONNECT, random: () => 0, now: () => t, ...over });
    return { policy, advance: (ms: number) => (t += ms) };
  };
  const quick = { livedMs: 5, failed: false, relist: false };

  test('instant closes back off like errors (events and bookmarks do not count as success)', () => {
    const { policy } = make();
    const delays = Array.from({ length: 8 }, () => policy.after(quick)).map((d) => ('delayMs' in d ? d.delayMs : -1));
    assert.deepEqual(delays, [400, 800, 1600, 3200, 6400, 12800, 15000, 15000]);
  });

  test('a healthy watch resets the backoff and reconnects after the jittered floor', () => {
    const { policy } = make({ random: () => 0.5 });
    policy.after(quick);
    policy.after(quick);
    assert.deepEqual(policy.after({ livedMs: 10_000, failed: false, relist: false }), { delayMs: 375 });
    const afterError = policy.after({ livedMs: 60_000, failed: true, relist: false });
    assert.deepEqual(afterError, { delayMs: 600 }, 'an error after a healthy watch starts the backoff over');
  });

  test('never below the floor', () => {
    const { policy } = make({ initialMs: 1, floorMs: 250 });
    assert.deepEqual(policy.after(quick), { delayMs: 250 });
  });

  test('relist budget slides with the window; failures in a row stop', () => {
    const { policy, advance } = make({ relistBudget: 2, relistWindowMs: 1000, healthyAfterMs: 0 });
    const relist = { livedMs: 1, failed: false, relist: true };
    assert.ok('delayMs' in policy.after(relist));
    assert.ok('delayMs' in policy.after(relist));
    assert.deepEqual(policy.after(relist), { stop: 'relist-budget', count: 3 });
    policy.reset();
    advance(1000);
    assert.ok('delayMs' in policy.after(relist));
    const { policy: p2 } = make({ maxFailures: 2 });
    assert.ok('delayMs' in p2.after(quick));
    assert.ok('delayMs' in p2.after(quick));
    assert.deepEqual(p2.after(quick), { stop: 'max-failures', count: 3 });
  });
});

describe('LineBuffer', () => {
  test('lines across chunks; split mode cuts long lines; error mode stops', () => {
    const lines: string[] = [];
    const b = new LineBuffer(4, (l) => lines.push(l), 'split');
    b.push('ab');
    b.push('c\n\nabcdefghij\nxy');
    b.flush();
    assert.deepEqual(lines, ['abc', '', 'abcd', 'efgh', 'ij', 'xy']);
    const seen: string[] = [];
    let overflow = 0;
    const e = new LineBuffer(4, (l) => seen.push(l), (n) => (overflow = n));
    e.push('ok\ntoo long\nnever');
    e.push('more\n');
    e.flush();
    assert.deepEqual(seen, ['ok']);
    assert.equal(overflow, 8);
  });

  test('a 32 MB line with no newline, in 1 KB chunks: bounded and linear', () => {
    let overflowAt = 0;
    const b = new LineBuffer(1024 * 1024, () => assert.fail('no line expected'), (n) => (overflowAt = n));
    const chunk = 'a'.repeat(1024);
    const t0 = performance.now();
    let maxPending = 0;
    for (let i = 0; i < 32 * 1024; i++) {
      b.push(chunk);
      maxPending = Math.max(maxPending, b.pending);
    }
    assert.ok(performance.now() - t0 < 2000);
    assert.ok(maxPending <= 1024 * 1024);
    assert.equal(overflowAt, 1024 * 1024 + 1024);
    const split: number[] = [];
    const s = new LineBuffer(1024 * 1024, (l) => split.push(l.length), 'split');
    const t1 = performance.now();
    for (let i = 0; i < 32 * 1024; i++) s.push(chunk);
    assert.ok(performance.now() - t1 < 2000);
    assert.equal(split.length, 31);
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
