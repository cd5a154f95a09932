import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { BuildOutputParser, decodeBuildkitStatus, parseBuildkitStep, parseClassicStep } from '../../../src/docker/buildProgress';
import type { BuildEvent } from '../../../src/docker/types';

// A tiny protobuf writer, enough to produce StatusResponse messages like BuildKit does.
const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 127) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};
const bytesField = (no: number, data: Uint8Array | string): number[] => {
  const b = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
  return [...varint(no * 8 + 2), ...varint(b.length), ...b];
};
const intField = (no: number, v: number): number[] => [...varint(no * 8), ...varint(v)];
const ts = bytesField(5, Uint8Array.from(intField(1, 1700000000)));
const vertex = (digest: string, name: string, opts: { started?: boolean; completed?: boolean; cached?: boolean; error?: string } = {}) =>
  bytesField(
    1,
    Uint8Array.from([
      ...bytesField(1, digest),
      ...bytesField(3, name),
      ...(opts.cached ? intField(4, 1) : []),
      ...(opts.started ? ts : []),
      ...(opts.completed ? bytesField(6, Uint8Array.from(intField(1, 1700000001))) : []),
      ...(opts.error ? bytesField(7, opts.error) : []),
    ]),
  );
const log = (digest: string, msg: string) => bytesField(3, Uint8Array.from([...bytesField(1, digest), ...intField(3, 1), ...bytesField(4, msg)]));
const trace = (...parts: number[][]) => JSON.stringify({ id: 'moby.buildkit.trace', aux: Buffer.from(parts.flat()).toString('base64') }) + '\n';

describe('build progress parsing', () => {
  test('step lines of both builders', () => {
    assert.deepEqual(parseClassicStep('Step 2/5 : RUN pip install -r requirements.txt\n'), { current: 2, total: 5, text: 'RUN pip install -r requirements.txt' });
    assert.deepEqual(parseBuildkitStep('[3/4] COPY . .'), { current: 3, total: 4, text: 'COPY . .' });
    assert.deepEqual(parseBuildkitStep('[builder 2/6] RUN make'), { current: 2, total: 6, text: 'RUN make' });
    assert.equal(parseBuildkitStep('[internal] load build definition from Dockerfile'), undefined);
  });

  test('classic stream: steps, raw logs with ANSI, image id, split chunks', () => {
    const p = new BuildOutputParser();
    const text = [
      { stream: 'Step 1/2 : FROM local/busybox:1\n' },
      { stream: ' ---> abc\n' },
      { stream: 'Step 2/2 : RUN echo hi\n' },
      { stream: '\u001b[32mhi\u001b[0m\n' },
      { aux: { ID: 'sha256:feed' } },
    ].map((m) => JSON.stringify(m) + '\r\n').join('');
    const events: BuildEvent[] = [];
    // Feed in awkward slices to exercise line reassembly.
    for (let i = 0; i < text.length; i += 7) events.push(...p.push(Buffer.from(text.slice(i, i + 7))));
    events.push(...p.end());
    assert.deepEqual(events.filter((e) => e.type === 'step').map((e) => (e.type === 'step' ? e.current : 0)), [1, 2]);
    assert.ok(events.some((e) => e.type === 'log' && e.text === '\u001b[32mhi\u001b[0m\n'));
    assert.equal(p.imageId, 'sha256:feed');
  });

  test('the error line is surfaced', () => {
    const p = new BuildOutputParser();
    const ev = p.push(JSON.stringify({ errorDetail: { code: 3, message: "The command '/bin/sh -c exit 3' returned a non-zero code: 3" }, error: "The command '/bin/sh -c exit 3' returned a non-zero code: 3" }) + '\n');
    assert.deepEqual(ev, [{ type: 'error', message: "The command '/bin/sh -c exit 3' returned a non-zero code: 3" }]);
    assert.match(p.error ?? '', /non-zero code: 3/);
  });

  test('BuildKit trace: vertices become steps and plain-progress lines; logs keep ANSI', () => {
    const p = new BuildOutputParser();
    const events = [
      ...p.push(trace(vertex('sha256:a', '[internal] load build context', { started: true }))),
      ...p.push(trace(vertex('sha256:b', '[2/3] RUN echo hi', { started: true }))),
      ...p.push(trace(log('sha256:b', '\u001b[31mred'), log('sha256:b', ' text\nsecond\n'))),
      ...p.push(trace(vertex('sha256:b', '[2/3] RUN echo hi', { started: true, completed: true }))),
      ...p.push(trace(vertex('sha256:c', '[3/3] RUN false', { started: true, completed: true, error: 'process did not complete successfully: exit code: 1' }))),
      ...p.push(JSON.stringify({ id: 'moby.image.id', aux: { ID: 'sha256:img' } }) + '\n'),
    ];
    assert.deepEqual(events.filter((e) => e.type === 'step'), [
      { type: 'step', current: 2, total: 3, text: 'RUN echo hi' },
      { type: 'step', current: 3, total: 3, text: 'RUN false' },
    ]);
    const out = events.map((e) => (e.type === 'log' ? e.text : '')).join('');
    assert.ok(out.includes('#2 [2/3] RUN echo hi\n'));
    assert.ok(out.includes('#2 \u001b[31mred text\n#2 second\n'));
    assert.ok(out.includes('#2 DONE\n'));
    assert.ok(out.includes('#3 ERROR: process did not complete successfully: exit code: 1\n'));
    assert.equal(p.imageId, 'sha256:img');
    assert.ok(p.tail.some((l) => l.includes('exit code: 1')));
  });

  test('decoder copes with cached vertices and unknown fields', () => {
    const res = decodeBuildkitStatus(Uint8Array.from([...vertex('d', 'n', { cached: true, completed: true }), ...intField(9, 5)]));
    assert.equal(res.vertexes[0]?.cached, true);
    assert.equal(res.vertexes[0]?.completed, true);
  });
});
