import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOnnxModelIo, readOnnxModelIo, bytesSource, tritonDataType, type ByteSource } from '../../../src/core/scaffold/onnx';
import { modelIoChoices, readOnnxModelIoFile } from '../../../src/core/scaffold/onnxFile';
import { planScaffold } from '../../../src/core/scaffold/index';
import { detection } from './fixtures';
import { file } from './helpers';
import { ONNX, concat, initializer, model, msg, raw, valueInfo } from './protobuf';

const resnet = () =>
  model({
    inputs: [valueInfo('images', ONNX.FLOAT, ['batch', 3, 224, 224])],
    outputs: [valueInfo('logits', ONNX.FLOAT, ['batch', 1000])],
    initializers: [initializer('fc.weight', 4000), initializer('fc.bias', 4000)],
  });

/** A deterministic PRNG (mulberry32): garbage inputs that reproduce. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('ONNX reader: inputs and outputs', () => {
  test('names, Triton types and dims; symbolic and unknown dims are -1', () => {
    const r = parseOnnxModelIo(
      model({
        inputs: [valueInfo('images', ONNX.FLOAT, ['batch', 3, 224, 224]), valueInfo('mask', ONNX.BOOL, [null, 7])],
        outputs: [valueInfo('scores', ONNX.FLOAT, ['batch', 1000])],
      }),
    );
    assert.equal(r.reason, null);
    assert.deepEqual(r.io, {
      inputs: [
        { name: 'images', dataType: 'TYPE_FP32', dims: [-1, 3, 224, 224] },
        { name: 'mask', dataType: 'TYPE_BOOL', dims: [-1, 7] },
      ],
      outputs: [{ name: 'scores', dataType: 'TYPE_FP32', dims: [-1, 1000] }],
    });
  });

  test('several element types map to their Triton names', () => {
    const types: [number, string][] = [
      [ONNX.FLOAT, 'TYPE_FP32'],
      [ONNX.FLOAT16, 'TYPE_FP16'],
      [ONNX.BFLOAT16, 'TYPE_BF16'],
      [ONNX.DOUBLE, 'TYPE_FP64'],
      [ONNX.INT64, 'TYPE_INT64'],
      [ONNX.INT32, 'TYPE_INT32'],
      [ONNX.INT8, 'TYPE_INT8'],
      [ONNX.UINT8, 'TYPE_UINT8'],
      [ONNX.STRING, 'TYPE_STRING'],
      [ONNX.BOOL, 'TYPE_BOOL'],
    ];
    const r = parseOnnxModelIo(model({ inputs: types.map(([t], i) => valueInfo(`in${i}`, t, [1])), outputs: [valueInfo('out', ONNX.INT64, [1])] }));
    assert.deepEqual(
      r.io?.inputs.map((t) => t.dataType),
      types.map(([, n]) => n),
    );
    assert.equal(tritonDataType(ONNX.COMPLEX64), null);
  });

  test('initializers listed among the inputs (IR < 4) are weights, not inputs', () => {
    const r = parseOnnxModelIo(
      model({
        ir: 3,
        initializers: [initializer('W'), initializer('B')],
        sparseInitializers: ['S'],
        inputs: [valueInfo('x', ONNX.FLOAT, [1, 4]), valueInfo('W', ONNX.FLOAT, [4, 4]), valueInfo('B', ONNX.FLOAT, [4]), valueInfo('S', ONNX.FLOAT, [4])],
        outputs: [valueInfo('y', ONNX.FLOAT, [1, 4])],
      }),
    );
    assert.deepEqual(r.io?.inputs.map((t) => t.name), ['x']);
  });

  test('unknown fields and other wire types are skipped at every level', () => {
    const vi = concat(valueInfo('x', ONNX.FLOAT, [2]), raw(9, 5, [1, 2, 3, 4]), raw(10, 1, [1, 2, 3, 4, 5, 6, 7, 8]));
    const g = msg([11, vi], [12, valueInfo('y', ONNX.FLOAT, [2])], [99, 'future field']);
    const bytes = concat(msg([1, 9], [14, msg([1, 'k'], [2, 'v'])]), raw(21, 5, [0, 0, 0, 0]), msg([7, g]));
    assert.deepEqual(parseOnnxModelIo(bytes).io, { inputs: [{ name: 'x', dataType: 'TYPE_FP32', dims: [2] }], outputs: [{ name: 'y', dataType: 'TYPE_FP32', dims: [2] }] });
  });

  test('a negative dim_value (10-byte varint) is dynamic', () => {
    const shape = msg([2, msg([1, msg([1, -1])], [1, msg([1, 5])])]);
    const vi = msg([1, 'x'], [2, msg([1, msg([1, ONNX.FLOAT], [2, shape.subarray(2)])])]);
    const r = parseOnnxModelIo(msg([1, 8], [7, msg([11, vi], [12, valueInfo('y', ONNX.FLOAT, [1])])]));
    assert.deepEqual(r.io?.inputs[0]?.dims, [-1, 5]);
  });

  test('repeated graph fields are merged, as protobuf does', () => {
    const bytes = msg([1, 8], [7, msg([11, valueInfo('a', ONNX.FLOAT, [1])])], [7, msg([12, valueInfo('b', ONNX.FLOAT, [1])])]);
    const r = parseOnnxModelIo(bytes);
    assert.deepEqual([r.io?.inputs[0]?.name, r.io?.outputs[0]?.name], ['a', 'b']);
  });
});

describe('ONNX reader: what Triton cannot declare is a reason, not a guess', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['complex element type', model({ inputs: [valueInfo('z', ONNX.COMPLEX64, [2])], outputs: [valueInfo('y', ONNX.FLOAT, [1])] }), /"z".*COMPLEX64/],
    ['no shape', model({ inputs: [valueInfo('x', ONNX.FLOAT, null)], outputs: [valueInfo('y', ONNX.FLOAT, [1])] }), /"x" has no shape/],
    ['scalar', model({ inputs: [valueInfo('x', ONNX.FLOAT, [])], outputs: [valueInfo('y', ONNX.FLOAT, [1])] }), /scalar/],
    ['sequence type', model({ inputs: [msg([1, 'seq'], [2, msg([4, msg([1, msg([1, msg([1, 1])])])])])], outputs: [valueInfo('y', ONNX.FLOAT, [1])] }), /"seq" is a sequence/],
    ['no outputs', model({ inputs: [valueInfo('x', ONNX.FLOAT, [1])], outputs: [] }), /no outputs/],
    ['only initializers as inputs', model({ initializers: [initializer('W')], inputs: [valueInfo('W', ONNX.FLOAT, [1])], outputs: [valueInfo('y', ONNX.FLOAT, [1])] }), /no inputs/],
    ['no graph', msg([1, 8], [2, 'pytorch']), /no graph/],
  ];
  for (const [what, bytes, reason] of cases) {
    test(what, () => {
      const r = parseOnnxModelIo(bytes);
      assert.equal(r.io, null);
      assert.match(r.reason ?? '', reason);
    });
  }
});

describe('ONNX reader: malformed input never throws', () => {
  test('every truncation of a model is refused with a reason', () => {
    const bytes = resnet();
    const whole = parseOnnxModelIo(bytes).io;
    assert.ok(whole, 'the whole model reads');
    // A cut after the graph field (in the trailing opset_import) is still a valid ModelProto.
    let valid = 0;
    for (let n = 0; n < bytes.length; n++) {
      const r = parseOnnxModelIo(bytes.subarray(0, n));
      if (r.io) {
        assert.deepEqual(r.io, whole, `prefix of ${n} bytes`);
        valid++;
      } else assert.ok(r.reason, `prefix of ${n} bytes has a reason`);
    }
    assert.ok(valid <= 8, `${valid} prefixes read as a model`);
  });

  test('garbage, text and flipped bytes', () => {
    const rand = prng(9);
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(rand() * 200) }, () => Math.floor(rand() * 256));
      const r = parseOnnxModelIo(bytes);
      assert.ok(r.io !== null || typeof r.reason === 'string');
    }
    for (const text of ['', 'hello world\n', '{"not": "onnx"}', '\x89PNG\r\n\x1a\n']) {
      const r = parseOnnxModelIo(new TextEncoder().encode(text));
      assert.equal(r.io, null, JSON.stringify(text));
    }
    const good = resnet();
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from(good);
      bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      const r = parseOnnxModelIo(bytes);
      assert.ok(r.io !== null || typeof r.reason === 'string');
    }
  });

  test('a length prefix past the end, a group wire type, a wrong wire type for graph', () => {
    assert.match(parseOnnxModelIo(Uint8Array.from([0x3a, 0xff, 0xff, 0x03, 0x00])).reason ?? '', /longer/);
    assert.match(parseOnnxModelIo(raw(7, 3, [])).reason ?? '', /wire type 3/);
    assert.match(parseOnnxModelIo(msg([1, 8], [7, 5])).reason ?? '', /ModelProto\.graph/);
    assert.match(parseOnnxModelIo(msg([1, 8], [7, msg([11, msg([1, new Uint8Array([0xff, 0xfe])])])])).reason ?? '', /UTF-8/);
  });

  test('a source that fails to read is a reason', () => {
    const src: ByteSource = { size: 100, read: () => { throw new Error('EIO'); } };
    assert.match(readOnnxModelIo(src).reason ?? '', /EIO/);
  });

  test('limits: size cap, field budget', () => {
    assert.match(parseOnnxModelIo(resnet(), { maxBytes: 100 }).reason ?? '', /over the 100-byte limit/);
    assert.match(parseOnnxModelIo(resnet(), { maxFields: 10 }).reason ?? '', /more than 10 protobuf fields/);
  });
});

describe('ONNX reader: bounded reads', () => {
  test('large initializers are stepped over, not read', () => {
    const bytes = model({
      initializers: [initializer('big', 1024 * 1024)],
      inputs: [valueInfo('x', ONNX.FLOAT, [1, 3])],
      outputs: [valueInfo('y', ONNX.FLOAT, [1])],
    });
    const inner = bytesSource(bytes);
    let read = 0;
    const counting: ByteSource = { size: inner.size, read: (o, l) => { const b = inner.read(o, l); read += b.length; return b; } };
    assert.deepEqual(readOnnxModelIo(counting).io?.inputs[0]?.dims, [1, 3]);
    assert.ok(read < 4096, `read ${read} of ${bytes.length} bytes`);
  });
});

describe('ONNX reader: files and choices', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'modeldock-onnx-'));
    mkdirSync(join(dir, 'models'));
    writeFileSync(join(dir, 'models', 'detector.onnx'), resnet());
    writeFileSync(join(dir, 'models', 'broken.onnx'), 'not a model');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('readOnnxModelIoFile reads through a windowed file source', () => {
    assert.deepEqual(readOnnxModelIoFile(join(dir, 'models', 'detector.onnx')).io?.outputs, [{ name: 'logits', dataType: 'TYPE_FP32', dims: [-1, 1000] }]);
    assert.match(readOnnxModelIoFile(join(dir, 'missing.onnx')).reason ?? '', /ENOENT/);
    assert.match(readOnnxModelIoFile(join(dir, 'models')).reason ?? '', /not a file/);
  });

  test('modelIoChoices: the first ONNX artifact, relative to the project root', () => {
    const d = (files: string[]) => detection({ root: dir, artifacts: files.map((f) => ({ file: f, format: 'onnx' as const, bytes: 1 })) });
    const ok = modelIoChoices(d(['models/detector.onnx', 'models/broken.onnx']));
    assert.equal(ok.modelIoSource, 'models/detector.onnx');
    assert.equal(ok.modelIo?.inputs[0]?.name, 'images');
    const bad = modelIoChoices(d(['models/broken.onnx']));
    assert.equal(bad.modelIo, undefined);
    assert.match(bad.modelIoProblem ?? '', /not a readable ONNX model/);
    assert.deepEqual(modelIoChoices(detection({ root: dir, artifacts: [{ file: 'm.pt', format: 'pytorch', bytes: 1 }] })), {});
    assert.match(modelIoChoices(d(['../outside.onnx'])).modelIoProblem ?? '', /leaves the project/);
  });

  test('Triton config.pbtxt from the read model: no TODO; a failed read keeps the TODOs and says why', () => {
    const d = detection({ root: dir, frameworks: [{ name: 'onnxruntime', version: '1.18.0' }], artifacts: [{ file: 'models/detector.onnx', format: 'onnx', bytes: 1 }] });
    const plan = planScaffold(d, { runtime: 'triton', ...modelIoChoices(d) });
    const cfg = file(plan, 'model_repository/detector/config.pbtxt');
    assert.match(cfg, /input \{\n {2}name: "images"\n {2}data_type: TYPE_FP32\n {2}dims: \[ -1, 3, 224, 224 \]\n\}/);
    assert.match(cfg, /output \{\n {2}name: "logits"\n {2}data_type: TYPE_FP32\n {2}dims: \[ -1, 1000 \]\n\}/);
    assert.doesNotMatch(cfg, /TODO/);
    assert.ok(plan.notes.some((n) => /read from models\/detector\.onnx/.test(n)));
    assert.ok(!plan.notes.some((n) => /TODO/.test(n)));

    const broken = { ...d, artifacts: [{ file: 'models/broken.onnx', format: 'onnx' as const, bytes: 1 }] };
    const failed = planScaffold(broken, { runtime: 'triton', ...modelIoChoices(broken) });
    assert.match(file(failed, 'model_repository/broken/config.pbtxt'), /TODO\(modeldock\)/);
    assert.ok(failed.notes.some((n) => /models\/broken\.onnx: not a readable ONNX model.*TODO markers/.test(n)), failed.notes.join('\n'));
  });

  test('tensor names are quoted for the protobuf text format', () => {
    const d = detection({ frameworks: [{ name: 'onnxruntime', version: '1.18.0' }], artifacts: [{ file: 'm.onnx', format: 'onnx', bytes: 1 }] });
    const cfg = file(planScaffold(d, { runtime: 'triton', modelIo: { inputs: [{ name: 'a"b\\c', dataType: 'TYPE_FP32', dims: [1] }], outputs: [{ name: 'y', dataType: 'TYPE_FP32', dims: [1] }] } }), 'model_repository/m/config.pbtxt');
    assert.match(cfg, /name: "a\\"b\\\\c"/);
  });
});
