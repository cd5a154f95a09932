import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { planScaffold, suggestedRuntimes, type ScaffoldPlan } from '../../../src/core/scaffold/index';
import { detection, frameworkProject } from './fixtures';
import { checkDockerfile, checkPlan, file } from './helpers';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-only YAML access

function container(plan: ScaffoldPlan): Doc {
  return (parseYaml(file(plan, 'k8s/deployment.yaml')) as Doc).spec.template.spec.containers[0];
}
function ports(plan: ScaffoldPlan): number[] {
  return container(plan).ports.map((p: Doc) => p.containerPort).sort();
}

const tf = (extra = {}) =>
  detection({
    frameworks: [{ name: 'tensorflow', version: '2.15.0' }],
    artifacts: [{ file: 'export/classifier', format: 'savedmodel', bytes: 1000 }],
    ...extra,
  });

describe('runtime: TF Serving', () => {
  for (const target of ['cpu', 'gpu'] as const) {
    test(`layout, ports and probes (${target})`, () => {
      const plan = planScaffold(tf(), { runtime: 'tfserving', target, outputs: { kserve: true } });
      assert.deepEqual(plan.errors, []);
      checkPlan(plan);
      const df = file(plan, 'Dockerfile');
      // TF Serving has no 2.15.0 release: the table maps TensorFlow 2.15.0 to the 2.15 series' 2.15.1.
      assert.equal(plan.baseImage, `tensorflow/serving:2.15.1${target === 'gpu' ? '-gpu' : ''}`);
      assert.match(df, /ENV MODEL_NAME=classifier/);
      assert.match(df, /EXPOSE 8500 8501/);
      assert.deepEqual(ports(plan), [8500, 8501]);
      assert.equal(container(plan).readinessProbe.httpGet.path, '/v1/models/classifier');
      // Numbered version directory below /models/<name>/, as TF Serving requires.
      const vol = (parseYaml(file(plan, 'compose.yaml')) as Doc).services['demo-model'].volumes[0];
      assert.deepEqual(vol, { type: 'bind', source: './export/classifier', target: '/models/classifier/1', read_only: true });
      assert.equal(plan.cuda, target === 'gpu' ? '12.2' : null);
      assert.equal((parseYaml(file(plan, 'k8s/inferenceservice.yaml')) as Doc).spec.predictor.model.modelFormat.name, 'tensorflow');
    });
  }
  test('weights in image: COPY into /models/<name>/<n>/ and an existing version number is kept', () => {
    const plan = planScaffold(tf({ artifacts: [{ file: 'export/clf/3', format: 'savedmodel', bytes: 1 }] }), { runtime: 'tfserving', weightsInImage: true });
    assert.match(file(plan, 'Dockerfile'), /^COPY export\/clf\/3\/ \/models\/clf\/3\/$/m);
    assert.doesNotMatch(file(plan, '.dockerignore'), /^export/m);
  });
  test('incompatible --cuda is an error', () => {
    assert.equal(planScaffold(tf(), { runtime: 'tfserving', target: 'gpu', cuda: '11.8' }).errors.length, 1);
  });
});

describe('runtime: TorchServe', () => {
  const mar = detection({ frameworks: [{ name: 'pytorch', version: '2.3.1' }], artifacts: [{ file: 'model_store/resnet.mar', format: 'torchserve-mar', bytes: 10 }] });
  test('mar archive: config.properties, ports 8080/8081/8082, /ping', () => {
    const plan = planScaffold(mar, { runtime: 'torchserve', target: 'gpu' });
    checkPlan(plan);
    const props = file(plan, 'torchserve/config.properties');
    assert.match(props, /^inference_address=http:\/\/0\.0\.0\.0:8080$/m);
    assert.match(props, /^management_address=http:\/\/0\.0\.0\.0:8081$/m);
    assert.match(props, /^metrics_address=http:\/\/0\.0\.0\.0:8082$/m);
    assert.match(props, /^model_store=\/home\/model-server\/model-store$/m);
    assert.match(props, /^number_of_gpu=1$/m);
    assert.match(plan.baseImage ?? '', /^pytorch\/torchserve:[\d.]+-gpu$/);
    assert.deepEqual(ports(plan), [8080, 8081, 8082]);
    assert.equal(container(plan).livenessProbe.httpGet.path, '/ping');
    assert.match(file(plan, 'Dockerfile'), /COPY torchserve\/config\.properties \/home\/model-server\/config\.properties/);
  });
  test('weights only: a build stage runs torch-model-archiver', () => {
    const d = detection({ frameworks: [{ name: 'pytorch', version: '2.3.1' }], artifacts: [{ file: 'weights/net.pt', format: 'pytorch', bytes: 10 }], entrypoint: { file: 'handler.py', kind: 'torchserve' } });
    const plan = planScaffold(d, { runtime: 'torchserve' });
    const df = file(plan, 'Dockerfile');
    const { froms } = checkDockerfile(df);
    assert.equal(froms.length, 2);
    assert.match(df, /AS archive/);
    assert.match(df, /torch-model-archiver --model-name net .*--handler handler\.py/);
    assert.match(df, /COPY --from=archive \/build\/net\.mar \/home\/model-server\/model-store\//);
    assert.doesNotMatch(file(plan, '.dockerignore'), /^weights\/net\.pt$/m);
    assert.ok(suggestedRuntimes(d).includes('torchserve'));
  });
});

describe('runtime: Triton', () => {
  const onnx = detection({ frameworks: [{ name: 'onnxruntime', version: '1.18.0' }], artifacts: [{ file: 'models/detector.onnx', format: 'onnx', bytes: 10 }] });
  for (const target of ['cpu', 'gpu'] as const) {
    test(`model repository layout, ports, probes (${target})`, () => {
      const plan = planScaffold(onnx, { runtime: 'triton', target });
      checkPlan(plan);
      const cfg = file(plan, 'model_repository/detector/config.pbtxt');
      assert.match(cfg, /^name: "detector"$/m);
      assert.match(cfg, /^platform: "onnxruntime_onnx"$/m);
      assert.match(cfg, /TODO\(modeldock\)/);
      assert.match(cfg, new RegExp(`kind: ${target === 'gpu' ? 'KIND_GPU' : 'KIND_CPU'}`));
      assert.match(plan.baseImage ?? '', /^nvcr\.io\/nvidia\/tritonserver:\d\d\.\d\d-py3$/);
      assert.deepEqual(ports(plan), [8000, 8001, 8002]);
      assert.equal(container(plan).readinessProbe.httpGet.path, '/v2/health/ready');
      // <model>/1/model.onnx: version directory 1, the file name the ONNX backend expects.
      const vol = (parseYaml(file(plan, 'compose.yaml')) as Doc).services['demo-model'].volumes[0];
      assert.deepEqual(vol, { type: 'bind', source: './models/detector.onnx', target: '/models/detector/1/model.onnx', read_only: true });
      assert.match(file(plan, 'Dockerfile'), /COPY model_repository\/ \/models\//);
    });
  }
  test('TorchScript needs explicit inputs/outputs (TODO markers, uncommented)', () => {
    const d = detection({ frameworks: [{ name: 'pytorch', version: '2.3.1' }], artifacts: [{ file: 'ts.pt', format: 'pytorch', bytes: 1 }] });
    const cfg = file(planScaffold(d, { runtime: 'triton', weightsInImage: true }), 'model_repository/ts/config.pbtxt');
    assert.match(cfg, /platform: "pytorch_libtorch"/);
    assert.match(cfg, /^input \[/m);
    assert.match(cfg, /INPUT__0/);
  });
  test('model inputs/outputs when given', () => {
    const cfg = file(planScaffold(onnx, { runtime: 'triton', modelIo: { inputs: [{ name: 'images', dataType: 'TYPE_FP32', dims: [3, 224, 224] }], outputs: [{ name: 'scores', dataType: 'TYPE_FP32', dims: [1000] }] } }), 'model_repository/detector/config.pbtxt');
    assert.match(cfg, /name: "images"\n {2}data_type: TYPE_FP32\n {2}dims: \[ 3, 224, 224 \]/);
    assert.doesNotMatch(cfg, /TODO/);
  });
});

describe('runtime: KServe', () => {
  test('sklearn: InferenceService with modelFormat + storageUri, no Dockerfile', () => {
    const plan = planScaffold(frameworkProject('scikit-learn', '1.4.2'), { runtime: 'kserve' });
    assert.deepEqual(plan.errors, []);
    assert.equal(plan.baseImage, null);
    assert.ok(!plan.files.some((f) => f.path === 'Dockerfile'));
    const isvc = parseYaml(file(plan, 'k8s/inferenceservice.yaml')) as Doc;
    assert.equal(isvc.kind, 'InferenceService');
    assert.equal(isvc.spec.predictor.model.modelFormat.name, 'sklearn');
    assert.match(isvc.spec.predictor.model.storageUri, /^pvc:\/\//);
    checkPlan(plan);
  });
  test('GPU resources when the target is GPU', () => {
    const plan = planScaffold(frameworkProject('xgboost', '2.0.3'), { runtime: 'kserve', target: 'gpu' });
    const isvc = parseYaml(file(plan, 'k8s/inferenceservice.yaml')) as Doc;
    assert.equal(isvc.spec.predictor.model.modelFormat.name, 'xgboost');
    assert.equal(isvc.spec.predictor.model.resources.limits['nvidia.com/gpu'], 1);
    assert.equal(isvc.spec.predictor.tolerations[0].key, 'nvidia.com/gpu');
  });
  test('formats: onnx, tensorflow; none for catboost is an error', () => {
    const onnx = planScaffold(detection({ frameworks: [{ name: 'onnxruntime', version: null }], artifacts: [{ file: 'm.onnx', format: 'onnx', bytes: 1 }] }), { runtime: 'kserve' });
    assert.equal((parseYaml(file(onnx, 'k8s/inferenceservice.yaml')) as Doc).spec.predictor.model.modelFormat.name, 'onnx');
    assert.ok(onnx.notes.some((n) => /model\.onnx/.test(n)), 'file-name rule is reported');
    assert.equal(planScaffold(tf(), { runtime: 'kserve' }).errors.length, 0);
    assert.equal(planScaffold(frameworkProject('catboost', '1.2.5'), { runtime: 'kserve' }).errors.length, 1);
  });
});

// The documented model-repository rules of each server (docs/runtimes.md), one assertion each.
describe('model-repository rules', () => {
  const envOf = (plan: ScaffoldPlan): Record<string, string> => Object.fromEntries((container(plan).env ?? []).map((e: Doc) => [e.name, e.value]));

  describe('TF Serving: <base>/<model>/<n>/saved_model.pb, n a positive integer', () => {
    for (const [src, name, version] of [
      ['export/classifier', 'classifier', '1'],
      ['export/clf/3', 'clf', '3'],
      ['saved/model-v2/17', 'model-v2', '17'],
    ] as const) {
      test(`${src} → /models/${name}/${version}`, () => {
        const d = tf({ artifacts: [{ file: src, format: 'savedmodel', bytes: 1 }] });
        const mounted = planScaffold(d, { runtime: 'tfserving' });
        const baked = planScaffold(d, { runtime: 'tfserving', weightsInImage: true });
        const df = file(baked, 'Dockerfile');
        // MODEL_BASE_PATH/MODEL_NAME is the model's base path; the versions are its numbered children.
        assert.match(df, /MODEL_BASE_PATH=\/models$/m);
        assert.match(df, new RegExp(`ENV MODEL_NAME=${name} `));
        const copy = /^COPY \S+ \/models\/([^/]+)\/([^/]+)\/$/m.exec(df);
        assert.ok(copy, df);
        assert.equal(copy[1], name);
        assert.match(copy[2]!, /^[1-9]\d*$/, 'version directory is a positive integer');
        assert.equal(copy[2], version);
        const vol = (parseYaml(file(mounted, 'compose.yaml')) as Doc).services['demo-model'].volumes[0];
        assert.deepEqual(vol, { type: 'bind', source: `./${src}`, target: `/models/${name}/${version}`, read_only: true });
        // Kubernetes: the volume is the model's base path, holding <n>/saved_model.pb.
        const mount = container(mounted).volumeMounts.find((m: Doc) => m.name !== 'dshm');
        assert.equal(mount.mountPath, `/models/${name}`);
        assert.equal(envOf(mounted).MODEL_NAME, name);
        assert.equal(container(mounted).readinessProbe.httpGet.path, `/v1/models/${name}`);
      });
    }
  });

  describe('Triton: <repo>/<model>/config.pbtxt + <model>/1/model.<ext>, platform per artifact', () => {
    const cases = [
      { art: { file: 'models/detector.onnx', format: 'onnx' as const, bytes: 1 }, fw: 'onnxruntime' as const, name: 'detector', platform: 'onnxruntime_onnx', modelFile: 'model.onnx' },
      { art: { file: 'weights/net.pt', format: 'pytorch' as const, bytes: 1 }, fw: 'pytorch' as const, name: 'net', platform: 'pytorch_libtorch', modelFile: 'model.pt' },
      { art: { file: 'export/classifier', format: 'savedmodel' as const, bytes: 1 }, fw: 'tensorflow' as const, name: 'classifier', platform: 'tensorflow_savedmodel', modelFile: 'model.savedmodel' },
    ];
    for (const c of cases) {
      test(`${c.art.format}: ${c.platform}, ${c.name}/1/${c.modelFile}`, () => {
        const d = detection({ frameworks: [{ name: c.fw, version: null }], artifacts: [c.art] });
        const plan = planScaffold(d, { runtime: 'triton' });
        const configs = plan.files.filter((f) => f.path.endsWith('config.pbtxt'));
        assert.deepEqual(configs.map((f) => f.path), [`model_repository/${c.name}/config.pbtxt`], 'one model directory with its config');
        const cfg = configs[0]!.content;
        // The config's name must equal the model directory's name.
        assert.match(cfg, new RegExp(`^name: "${c.name}"$`, 'm'));
        assert.match(cfg, new RegExp(`^platform: "${c.platform}"$`, 'm'));
        // max_batch_size 0: no implicit batch dimension, the dims are the model's full shape.
        assert.match(cfg, /^max_batch_size: 0$/m);
        assert.match(cfg, /^instance_group \[/m);
        const vol = (parseYaml(file(plan, 'compose.yaml')) as Doc).services['demo-model'].volumes[0];
        assert.deepEqual(vol, { type: 'bind', source: `./${c.art.file}`, target: `/models/${c.name}/1/${c.modelFile}`, read_only: true });
        const baked = file(planScaffold(d, { runtime: 'triton', weightsInImage: true }), 'Dockerfile');
        assert.match(baked, new RegExp(`^COPY ${c.art.file.replace(/\./g, '\\.')} /models/${c.name}/1/${c.modelFile.replace('.', '\\.')}$`, 'm'));
        assert.match(baked, /^CMD \["tritonserver", "--model-repository=\/models"\]$/m);
      });
    }
    test('ONNX inputs/outputs in config.pbtxt follow the protobuf text format', () => {
      const d = detection({ frameworks: [{ name: 'onnxruntime', version: null }], artifacts: [cases[0]!.art] });
      const io = { inputs: [{ name: 'x', dataType: 'TYPE_INT64', dims: [-1, 128] }], outputs: [{ name: 'y', dataType: 'TYPE_FP16', dims: [-1] }] };
      const cfg = file(planScaffold(d, { runtime: 'triton', modelIo: io }), 'model_repository/detector/config.pbtxt');
      assert.match(cfg, /^input \{\n {2}name: "x"\n {2}data_type: TYPE_INT64\n {2}dims: \[ -1, 128 \]\n\}$/m);
      assert.match(cfg, /^output \{\n {2}name: "y"\n {2}data_type: TYPE_FP16\n {2}dims: \[ -1 \]\n\}$/m);
      for (const t of cfg.matchAll(/data_type: (\S+)/g)) assert.match(t[1]!, /^TYPE_(BOOL|U?INT(8|16|32|64)|FP(16|32|64)|BF16|STRING)$/);
    });
  });

  describe('TorchServe: model_store of .mar archives + config.properties', () => {
    test('the archive is mounted into the model store that config.properties names', () => {
      const d = detection({ frameworks: [{ name: 'pytorch', version: '2.3.1' }], artifacts: [{ file: 'store/resnet.mar', format: 'torchserve-mar', bytes: 1 }] });
      const plan = planScaffold(d, { runtime: 'torchserve' });
      const store = /^model_store=(.+)$/m.exec(file(plan, 'torchserve/config.properties'))?.[1];
      assert.equal(store, '/home/model-server/model-store');
      assert.match(file(plan, 'torchserve/config.properties'), /^load_models=all$/m);
      const vol = (parseYaml(file(plan, 'compose.yaml')) as Doc).services['demo-model'].volumes[0];
      assert.deepEqual(vol, { type: 'bind', source: './store/resnet.mar', target: `${store}/resnet.mar`, read_only: true });
      assert.equal(container(plan).volumeMounts.find((m: Doc) => m.name !== 'dshm').mountPath, store);
      const baked = file(planScaffold(d, { runtime: 'torchserve', weightsInImage: true }), 'Dockerfile');
      assert.match(baked, /^COPY store\/resnet\.mar \/home\/model-server\/model-store\/$/m);
    });
  });

  describe('KServe: modelFormat + storageUri', () => {
    const cases = [
      { d: frameworkProject('scikit-learn', '1.4.2'), format: 'sklearn' },
      { d: frameworkProject('xgboost', '2.0.3'), format: 'xgboost' },
      { d: frameworkProject('lightgbm', '4.3.0'), format: 'lightgbm' },
      { d: frameworkProject('onnxruntime', '1.18.0'), format: 'onnx' },
      { d: tf(), format: 'tensorflow' },
      { d: detection({ frameworks: [{ name: 'pytorch', version: '2.3.1' }], artifacts: [{ file: 'ms/m.mar', format: 'torchserve-mar', bytes: 1 }] }), format: 'pytorch' },
    ];
    for (const c of cases) {
      test(`${c.format}`, () => {
        const plan = planScaffold(c.d, { runtime: 'kserve' });
        assert.deepEqual(plan.errors, []);
        const model = (parseYaml(file(plan, 'k8s/inferenceservice.yaml')) as Doc).spec.predictor.model;
        assert.equal(model.modelFormat.name, c.format);
        assert.match(model.storageUri, /^(pvc|s3|gs|https?):\/\/[^\s]+/);
        // The PVC the URI names is planned with it.
        const claim = /^pvc:\/\/([^/]+)\//.exec(model.storageUri)?.[1];
        assert.equal((parseYaml(file(plan, 'k8s/pvc.yaml')) as Doc).metadata.name, claim);
      });
    }
  });
});
