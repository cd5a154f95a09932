import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Demuxer, TimestampedLines, sinceAfter, splitTimestamp } from '../../../src/docker/logStream';

const frame = (type: number, text: string) => {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = type;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
};

describe('log streams', () => {
  test('demuxes frames split across chunks', () => {
    const all = Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]);
    const d = new Demuxer();
    const got = [...d.push(all.subarray(0, 5)), ...d.push(all.subarray(5, 14)), ...d.push(all.subarray(14))];
    assert.deepEqual(got.map((f) => [f.stream, f.data.toString()]), [['stdout', 'out\n'], ['stderr', 'err\n']]);
  });

  test('strips timestamps and remembers the last one', () => {
    const l = new TimestampedLines();
    assert.deepEqual(l.push('stdout', Buffer.from('2026-01-02T03:04:05.123456789Z hello\n2026-01-02T03:04:06.5Z wor')), ['hello\n']);
    assert.deepEqual(l.push('stdout', Buffer.from('ld\n')), ['world\n']);
    assert.equal(l.lastTimestamp, '2026-01-02T03:04:06.5Z');
    assert.deepEqual(splitTimestamp('no stamp'), { ts: undefined, text: 'no stamp' });
  });

  test('since is one nanosecond after the last line', () => {
    assert.equal(sinceAfter('1970-01-01T00:00:10.000000001Z'), '10.000000002');
    assert.equal(sinceAfter('1970-01-01T00:00:10.999999999Z'), '11.000000000');
    assert.equal(sinceAfter('1970-01-01T00:00:10Z'), '10.000000001');
  });
});
