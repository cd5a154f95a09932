// The smoke test's request per runtime (from the container as deployed), samples, requests built
// from model metadata; the registry setting and the pushed reference; the change-cause.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { appPredictRoute, inferRuntime, planSmokeRequest, readSample, requestFromMetadata, summarizeAnswer, type SmokeContainer } from '../../../src/core/deploy/smoke';
import { changeCause, parseRegistry, pushTarget, tagOf } from '../../../src/core/deploy/target';

const c = (over: Partial<SmokeContainer>): SmokeContainer => ({ name: 'm', image: 'r/m@sha256:' + 'a'.repeat(64), ports: [{ name: 'http', containerPort: 8080 }], env: {}, ...over });

describe('runtime of a deployed container', () => {
  test('from the probe ModelDock generates per runtime, the image, the env', () => {
    assert.deepEqual(inferRuntime(c({})), { runtime: 'python', port: 8080 });
    assert.deepEqual(inferRuntime(c({ readinessPath: '/v1/models/resnet', ports: [{ name: 'http', containerPort: 8501 }, { name: 'grpc', containerPort: 8500 }], env: { MODEL_NAME: 'resnet' } })), { runtime: 'tfserving', port: 8501, modelName: 'resnet' });
    assert.deepEqual(inferRuntime(c({ readinessPath: '/v2/health/ready', ports: [{ name: 'http', containerPort: 8000 }, { name: 'grpc', containerPort: 8001 }] })), { runtime: 'v2', port: 8000 });
    assert.deepEqual(inferRuntime(c({ readinessPath: '/ping', ports: [{ name: 'http', containerPort: 8080 }, { name: 'management', containerPort: 8081 }] })), { runtime: 'torchserve', port: 8080 });
    assert.equal(inferRuntime(c({ image: 'nvcr.io/nvidia/tritonserver:24.08-py3', ports: [] })).port, 8000);
    // A model name that is not a plain name is not put into a URL.
    assert.equal(inferRuntime(c({ readinessPath: '/v1/models/x', env: { MODEL_NAME: '../../admin' }, ports: [{ containerPort: 8501 }] })).modelName, 'x');
  });
});

describe('the request', () => {
  const sample = { file: 'sample_request.json', text: '{ "instances": [[5.1, 3.5, 1.4, 0.2]] }\n' };
  test('the project\'s sample to the runtime\'s route, re-serialized', () => {
    assert.deepEqual(planSmokeRequest({ runtime: 'python', port: 8080 }, sample, 'iris'), { method: 'POST', path: '/predict', body: '{"instances":[[5.1,3.5,1.4,0.2]]}', source: 'project', sourceFile: 'sample_request.json' });
    assert.equal((planSmokeRequest({ runtime: 'tfserving', port: 8501, modelName: 'resnet' }, sample, 'd') as { path: string }).path, '/v1/models/resnet:predict');
    const v2 = planSmokeRequest({ runtime: 'v2', port: 8000 }, sample, 'densenet onnx') as { path: string; note?: string };
    assert.equal(v2.path, '/v2/models/densenet%20onnx/infer');
    assert.match(v2.note ?? '', /model name "densenet onnx" assumed/);
    assert.equal((planSmokeRequest({ runtime: 'torchserve', port: 8080 }, sample, 'bert') as { path: string }).path, '/predictions/bert');
    assert.match((planSmokeRequest({ runtime: 'python', port: 8080 }, { file: 'x.json', text: '{nope' }, 'i') as { problem: string }).problem, /^x\.json is not valid JSON \(.*position 1/);
  });
  test('no sample: metadata first for V2 and TF Serving, a placeholder (said so) for a Python server', () => {
    assert.deepEqual(planSmokeRequest({ runtime: 'v2', port: 8000, modelName: 'm' }, undefined, 'd'), { method: 'GET', path: '/v2/models/m', source: 'metadata' });
    assert.equal((planSmokeRequest({ runtime: 'tfserving', port: 8501, modelName: 'm' }, undefined, 'd') as { path: string }).path, '/v1/models/m/metadata');
    const py = planSmokeRequest({ runtime: 'python', port: 8080 }, undefined, 'd') as { source: string; note: string };
    assert.equal(py.source, 'placeholder');
    assert.match(py.note, /sent a placeholder; the answer shows the server is up, not that the model is right/);
  });
  test('requests built from V2 and TF Serving metadata: zeros of the declared shapes, -1 as one', () => {
    const v2 = requestFromMetadata({ runtime: 'v2', port: 8000 }, 'densenet', { name: 'densenet', inputs: [{ name: 'data_0', datatype: 'FP32', shape: [-1, 3, 2, 2] }, { name: 'flag', datatype: 'BOOL', shape: [1] }] });
    assert.equal(v2?.path, '/v2/models/densenet/infer');
    assert.deepEqual(JSON.parse(v2!.body!), { inputs: [{ name: 'data_0', shape: [1, 3, 2, 2], datatype: 'FP32', data: Array(12).fill(0) }, { name: 'flag', shape: [1], datatype: 'BOOL', data: [false] }] });
    const tf = requestFromMetadata({ runtime: 'tfserving', port: 8501 }, 'half', {
      metadata: { signature_def: { signature_def: { serving_default: { inputs: { x: { dtype: 'DT_FLOAT', tensor_shape: { dim: [{ size: '-1' }, { size: '3' }] } } } } } } },
    });
    assert.deepEqual(JSON.parse(tf!.body!), { instances: [[0, 0, 0]] });
    assert.equal(requestFromMetadata({ runtime: 'v2', port: 8000 }, 'big', { inputs: [{ name: 'x', datatype: 'FP32', shape: [4096, 4096] }] }), undefined, 'no 16M-element smoke test');
    assert.equal(requestFromMetadata({ runtime: 'v2', port: 8000 }, 'm', 'not an object'), undefined);
  });
  test('samples: JSON or a reason; the answer summarized on one line', () => {
    assert.deepEqual(readSample({ file: 'a', text: '[1, 2]' }), { body: '[1,2]' });
    assert.match((readSample({ file: 'big', text: ' '.repeat(1024 * 1024 + 1) }) as { problem: string }).problem, /larger than 1 MiB/);
    assert.equal(summarizeAnswer({ status: 200, ms: 12.4, body: '{\n  "predictions": ["setosa"]\n}' }), 'HTTP 200 in 12 ms: { "predictions": ["setosa"] }');
    assert.match(summarizeAnswer({ status: 500, ms: 1500, body: 'x'.repeat(500) }), /^HTTP 500 in 1\.5 s: x{160}…$/);
  });
});

describe('registry setting and pushed reference', () => {
  test('hosts, paths, Docker Hub namespaces; refusals say what to write', () => {
    assert.deepEqual(parseRegistry('127.0.0.1:5000'), { prefix: '127.0.0.1:5000', host: '127.0.0.1:5000' });
    assert.deepEqual(parseRegistry('ghcr.io/acme/ml/'), { prefix: 'ghcr.io/acme/ml', host: 'ghcr.io' });
    assert.deepEqual(parseRegistry('localhost/team'), { prefix: 'localhost/team', host: 'localhost' });
    assert.deepEqual(parseRegistry('myuser'), { prefix: 'docker.io/myuser', host: 'docker.io' });
    assert.match((parseRegistry('') as { problem: string }).problem, /set modeldock\.deploy\.registry/);
    assert.match((parseRegistry('https://ghcr.io/acme') as { problem: string }).problem, /without a scheme \(for example ghcr\.io\/acme\)/);
    for (const bad of ['GHCR.io/acme', 'a b', 'reg:port', 'x/../y', 'reg.io/a@b']) assert.ok('problem' in parseRegistry(bad), bad);
  });
  test('the image keeps its name and tag under the registry', () => {
    assert.equal(pushTarget('sklearn-iris:0.1.0', '127.0.0.1:5000'), '127.0.0.1:5000/sklearn-iris:0.1.0');
    assert.equal(pushTarget('team/iris:1', 'ghcr.io/acme'), 'ghcr.io/acme/iris:1');
    assert.equal(pushTarget('iris', 'ghcr.io/acme'), 'ghcr.io/acme/iris:latest');
    assert.equal(pushTarget('ghcr.io/acme/iris:2', 'ghcr.io/acme'), 'ghcr.io/acme/iris:2');
    assert.equal(tagOf('localhost:5000/x'), 'latest');
  });
  test('change-cause', () => {
    assert.equal(
      changeCause({ image: '127.0.0.1:5000/iris:0.1.0', digest: 'sha256:' + 'ab'.repeat(32), project: 'iris', at: new Date('2026-01-02T03:04:05.678Z') }),
      'ModelDock deploy of 127.0.0.1:5000/iris:0.1.0 (sha256:abababababab) from iris at 2026-01-02T03:04:05Z',
    );
  });
});

describe("the app's own inference route", () => {
  test('a POST route named for inference, the most specific name first, then the shortest path', () => {
    const r = (path: string, ...methods: string[]) => ({ path, methods });
    assert.equal(appPredictRoute([r('/health', 'GET'), r('/v1/predict', 'POST')]), '/v1/predict');
    assert.equal(appPredictRoute([r('/api/v2/predict', 'POST'), r('/predict', 'POST'), r('/invocations', 'POST')]), '/predict');
    assert.equal(appPredictRoute([r('/invocations', 'POST'), r('/infer', 'POST')]), '/invocations');
    // GET-only, parameters, names that do not say inference: not guessed at.
    assert.equal(appPredictRoute([r('/predict', 'GET'), r('/models/{name}/predict', 'POST'), r('/train', 'POST')]), undefined);
    assert.equal(appPredictRoute([]), undefined);
  });
  test('the python runtime posts to it; other runtimes keep their own routes', () => {
    const sample = { file: 'sample_request.json', text: '{"instances":[[1]]}' };
    assert.equal((planSmokeRequest({ runtime: 'python', port: 8080 }, sample, 'd', '/v1/predict') as { path: string }).path, '/v1/predict');
    assert.equal((planSmokeRequest({ runtime: 'torchserve', port: 8080 }, sample, 'bert', '/v1/predict') as { path: string }).path, '/predictions/bert');
  });
});
