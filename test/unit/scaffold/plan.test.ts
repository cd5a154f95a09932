import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { CUDA_TABLE, cudaOfImage, cudaVersionsFor } from '../../../src/core/cuda/index';
import { planScaffold, type ScaffoldPlan } from '../../../src/core/scaffold/index';
import type { FrameworkName } from '../../../src/core/detect/types';
import { detection, frameworkProject } from './fixtures';
import { checkDockerfile, checkPlan, file } from './helpers';

const FRAMEWORKS: [FrameworkName, string][] = [
  ['pytorch', '2.3.1'],
  ['tensorflow', '2.15.0'],
  ['keras', '3.3.3'],
  ['jax', '0.4.30'],
  ['scikit-learn', '1.4.2'],
  ['xgboost', '2.0.3'],
  ['lightgbm', '4.3.0'],
  ['catboost', '1.2.5'],
  ['onnxruntime', '1.18.0'],
  ['transformers', '4.41.0'],
];

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-only YAML access

function k8s(plan: ScaffoldPlan, path: string): Doc {
  return parseYaml(file(plan, path)) as Doc;
}

describe('templates render for every framework, CPU and GPU', () => {
  for (const [fw, version] of FRAMEWORKS) {
    for (const target of ['cpu', 'gpu'] as const) {
      for (const pinned of [true, false]) {
        test(`${fw} ${pinned ? version : '(unpinned)'} ${target}`, () => {
          const plan = planScaffold(frameworkProject(fw, pinned ? version : null), { target, createEntrypoint: true, outputs: { kserve: true } });
          assert.deepEqual(plan.errors, []);
          checkPlan(plan);
          if (target === 'cpu' || fw === 'scikit-learn') {
            assert.equal(plan.target, 'cpu');
            assert.equal(plan.cuda, null);
            assert.match(plan.baseImage ?? '', /^python:3\.11-slim$/);
          } else {
            assert.equal(plan.target, 'gpu');
            assert.ok(plan.cuda, 'GPU plan has a CUDA');
          }
          for (const p of ['Dockerfile', '.dockerignore', 'compose.yaml', 'k8s/deployment.yaml', 'k8s/service.yaml', 'k8s/hpa.yaml']) file(plan, p);
        });
      }
    }
  }
});

describe('GPU base follows the CUDA table', () => {
  test('every torch version in the table: Dockerfile FROM carries a CUDA the pin supports', () => {
    for (const row of CUDA_TABLE.torch) {
      const plan = planScaffold(frameworkProject('pytorch', row.version), { target: 'gpu' });
      const { froms } = checkDockerfile(file(plan, 'Dockerfile'));
      const cuda = cudaOfImage(froms[0] ?? '');
      assert.ok(cuda && cudaVersionsFor('pytorch', row.version)?.includes(cuda), `${row.version}: ${froms[0]}`);
      assert.equal(plan.cuda, cuda);
    }
  });
  test('every TensorFlow version in the table: Dockerfile FROM carries a CUDA the pin supports', () => {
    for (const row of CUDA_TABLE.tensorflow) {
      const plan = planScaffold(frameworkProject('tensorflow', row.version), { target: 'gpu' });
      const { froms } = checkDockerfile(file(plan, 'Dockerfile'));
      const cuda = cudaOfImage(froms[0] ?? '');
      assert.ok(cuda && row.cuda.includes(cuda), `${row.version}: ${froms[0]}`);
    }
  });
  test('chosen CUDA drives Dockerfile and index url', () => {
    const plan = planScaffold(frameworkProject('pytorch', '2.3.1'), { target: 'gpu', cuda: '12.1' });
    const df = file(plan, 'Dockerfile');
    assert.match(df, /^FROM pytorch\/pytorch:2\.3\.1-cuda12\.1-cudnn8-runtime$/m);
    // The official image carries torch: no CUDA wheel index (pip would query it for every package).
    assert.match(df, /^ARG PIP_EXTRA_INDEX_URL$/m);
    // On nvidia/cuda + pip, torch comes from the cu121 index: a build argument's default (a
    // --build-arg mirror can replace it), never an ENV, never a pip option on the command line.
    const cudaBase = file(planScaffold(frameworkProject('pytorch', '2.3.1'), { target: 'gpu', cuda: '12.1', gpuBase: 'cuda-base' }), 'Dockerfile');
    assert.match(cudaBase, /^ARG PIP_EXTRA_INDEX_URL=https:\/\/download\.pytorch\.org\/whl\/cu121$/m);
    for (const d of [df, cudaBase]) {
      assert.doesNotMatch(d, /--extra-index-url/);
      assert.doesNotMatch(d, /^ENV .*PIP_(EXTRA_)?INDEX_URL/m);
    }
  });
  test('explicit incompatible CUDA is an error', () => {
    const plan = planScaffold(frameworkProject('pytorch', '2.3.1'), { target: 'gpu', cuda: '13.0' });
    assert.equal(plan.errors.length, 1);
    assert.match(plan.errors[0] ?? '', /11\.8, 12\.1/);
  });
  test('unknown pin: a clear note, the plan says UNVERIFIED', () => {
    const plan = planScaffold(frameworkProject('pytorch', '3.2.0'), { target: 'gpu' });
    assert.equal(plan.gpu?.known, false);
    assert.ok(plan.notes.some((n) => /not in ModelDock's CUDA table/.test(n)));
    assert.match(file(plan, 'Dockerfile'), /UNVERIFIED/);
  });
  test('no pin: default said in the Dockerfile comment and the notes', () => {
    const plan = planScaffold(frameworkProject('pytorch', null), { target: 'gpu' });
    assert.match(file(plan, 'Dockerfile'), /No pin: a current default/);
    assert.ok(plan.notes.some((n) => /not pinned/.test(n)));
  });
  test('cuda-base strategy installs Python in a venv on nvidia/cuda', () => {
    const plan = planScaffold(frameworkProject('pytorch', '2.5.1'), { target: 'gpu', gpuBase: 'cuda-base', cuda: '12.4' });
    const df = file(plan, 'Dockerfile');
    assert.match(df, /^FROM nvidia\/cuda:12\.4\.1-cudnn-runtime-ubuntu22\.04$/m);
    assert.match(df, /python3 -m venv \/opt\/venv/);
    assert.match(df, /torch==2\.5\.1/);
    checkDockerfile(df);
  });
  test('CPU torch installs from the CPU wheel index', () => {
    const plan = planScaffold(frameworkProject('pytorch', '2.3.1'), { target: 'cpu' });
    assert.match(file(plan, 'Dockerfile'), /^ARG PIP_EXTRA_INDEX_URL=https:\/\/download\.pytorch\.org\/whl\/cpu$/m);
  });
  test('onnxruntime GPU swaps to onnxruntime-gpu on a cuDNN-matching base', () => {
    const plan = planScaffold(frameworkProject('onnxruntime', '1.20.0'), { target: 'gpu' });
    const df = file(plan, 'Dockerfile');
    assert.match(df, /pip uninstall -y onnxruntime/);
    assert.match(df, /onnxruntime-gpu==1\.20\.0/);
    assert.match(df, /^FROM nvidia\/cuda:12\.6\.3-cudnn-runtime-ubuntu22\.04$/m);
  });
  test('jax GPU uses jax[cuda12] on slim Python', () => {
    const df = file(planScaffold(frameworkProject('jax', '0.4.30'), { target: 'gpu' }), 'Dockerfile');
    assert.match(df, /^FROM python:3\.11-slim$/m);
    assert.match(df, /'jax\[cuda12\]==0\.4\.30'/);
    assert.match(df, /NVIDIA_DRIVER_CAPABILITIES=compute,utility/);
  });
  test('scikit-learn GPU request falls back to CPU with a note', () => {
    const plan = planScaffold(frameworkProject('scikit-learn', '1.4.2'), { target: 'gpu' });
    assert.equal(plan.target, 'cpu');
    assert.ok(plan.notes.some((n) => /does not use a GPU/.test(n)));
  });
});

describe('Dockerfile good practice', () => {
  const plan = planScaffold(frameworkProject('scikit-learn', '1.4.2', { python: '3.10.12' }), { target: 'cpu' });
  const df = file(plan, 'Dockerfile');
  test('python matches detection', () => assert.match(df, /^FROM python:3\.10-slim$/m));
  test('dependency layer before code layer', () => {
    const { keywords } = checkDockerfile(df);
    const lines = df.split('\n');
    const req = lines.findIndex((l) => l.startsWith('COPY requirements.txt'));
    const pip = lines.findIndex((l) => l.startsWith('RUN python3 -m pip install --no-cache-dir'));
    const code = lines.findIndex((l) => l === 'COPY . .');
    assert.ok(req >= 0 && req < pip && pip < code);
    assert.ok(keywords.includes('HEALTHCHECK') && keywords.includes('EXPOSE') && keywords.includes('USER'));
  });
  test('each instruction is preceded by a comment', () => {
    const lines = df.split('\n');
    lines.forEach((l, i) => {
      if (/^(FROM|RUN|COPY|ENV|LABEL|USER|EXPOSE|HEALTHCHECK|CMD)\b/.test(l)) {
        const prev = lines.slice(0, i).reverse().find((x) => !/^(COPY|RUN|ENV) /.test(x) || x.startsWith('#'));
        assert.ok(prev?.startsWith('#') || /^COPY /.test(lines[i - 1] ?? ''), `no comment before: ${l}`);
      }
    });
  });
  test('non-root numeric user, env, labels', () => {
    assert.match(df, /^USER 10001:10001$/m);
    assert.match(df, /PYTHONUNBUFFERED=1/);
    assert.match(df, /PYTHONDONTWRITEBYTECODE=1/);
    assert.match(df, /org\.opencontainers\.image\.title=/);
    assert.match(df, /org\.opencontainers\.image\.version="0\.1\.0"/);
    assert.match(df, /ENV MODEL_DIR=\/models/);
  });
  test('weights out of the image by default; in with weightsInImage', () => {
    assert.match(file(plan, '.dockerignore'), /^model\.joblib$/m);
    const baked = planScaffold(frameworkProject('scikit-learn', '1.4.2'), { target: 'cpu', weightsInImage: true });
    assert.doesNotMatch(file(baked, '.dockerignore'), /^model\.joblib$/m);
    assert.doesNotMatch(file(baked, 'Dockerfile'), /ln -sfn/);
  });
  test('.dockerignore never hides what the Dockerfile copies', () => {
    const d = detection({
      frameworks: [{ name: 'scikit-learn', version: '1.4.2' }],
      dependencyFiles: [{ file: 'build/requirements.txt', kind: 'requirements' }],
      entrypoint: { file: 'app.py', kind: 'flask' },
    });
    const p = planScaffold(d, { target: 'cpu' });
    assert.doesNotMatch(file(p, '.dockerignore'), /^build$/m);
    for (const l of ['.git', '.venv', '**/__pycache__', '**/.ipynb_checkpoints', 'node_modules', '.cache']) assert.match(file(p, '.dockerignore'), new RegExp(`^${l.replace(/[.*]/g, '\\$&')}$`, 'm'));
    assert.doesNotMatch(file(p, '.dockerignore'), /^Dockerfile$/m);
  });
});

describe('dependency strategies', () => {
  test('pyproject: declared deps first, project with --no-deps after the code', () => {
    const d = detection({
      frameworks: [{ name: 'scikit-learn', version: null }],
      dependencyFiles: [{ file: 'pyproject.toml', kind: 'pyproject' }],
      packages: [{ name: 'scikit-learn', spec: 'scikit-learn>=1.3,<2', file: 'pyproject.toml' }],
    });
    const df = file(planScaffold(d, { target: 'cpu' }), 'Dockerfile');
    assert.match(df, /COPY pyproject\.toml \.\/pyproject\.toml/);
    assert.match(df, /pip install --no-cache-dir 'scikit-learn>=1\.3,<2'/);
    assert.ok(df.indexOf('--no-deps .') > df.indexOf('COPY . .'));
  });
  test('no dependency file: detected packages by name', () => {
    const d = detection({ frameworks: [{ name: 'xgboost', version: null }], dependencyFiles: [], packages: [] });
    const plan = planScaffold(d, { target: 'cpu' });
    assert.match(file(plan, 'Dockerfile'), /pip install --no-cache-dir xgboost/);
    assert.ok(plan.notes.some((n) => /No dependency file/.test(n)));
  });
});

describe('entrypoints', () => {
  const base = { frameworks: [{ name: 'scikit-learn' as const, version: '1.4.2' }] };
  test('fastapi -> uvicorn module:app', () => {
    const d = detection({ ...base, entrypoint: { file: 'api/server.py', kind: 'fastapi' } });
    assert.match(file(planScaffold(d, { metrics: 'none' }), 'Dockerfile'), /CMD \["uvicorn","--app-dir","api","server:app","--host","0\.0\.0\.0","--port","8080"\]/);
    // With metrics (the default) the CMD serves the wrapper, which imports server:app from api/.
    const plan = planScaffold(d, {});
    assert.match(file(plan, 'Dockerfile'), /CMD \["uvicorn","modeldock_app:app","--host","0\.0\.0\.0","--port","8080"\]/);
    assert.match(file(plan, 'modeldock_app.py'), /_APP_DIR = os\.path\.join\(_HERE, 'api'\)[\s\S]*import_module\('server'\)/);
  });
  test('streamlit, gradio, flask with gunicorn', () => {
    assert.match(file(planScaffold(detection({ ...base, entrypoint: { file: 'ui.py', kind: 'streamlit' } }), {}), 'Dockerfile'), /"streamlit","run","ui\.py"/);
    assert.match(file(planScaffold(detection({ ...base, entrypoint: { file: 'ui.py', kind: 'gradio' } }), {}), 'Dockerfile'), /GRADIO_SERVER_NAME=0\.0\.0\.0/);
    const g = detection({ ...base, entrypoint: { file: 'app.py', kind: 'flask' }, packages: [{ name: 'gunicorn', version: '22.0.0' }] });
    assert.match(file(planScaffold(g, { metrics: 'none' }), 'Dockerfile'), /"gunicorn","--bind","0\.0\.0\.0:8080","app:app"/);
    assert.match(file(planScaffold(g, {}), 'Dockerfile'), /"gunicorn","--bind","0\.0\.0\.0:8080","modeldock_app:app"/);
  });
  test('script -> Job, no Service/HPA, no HEALTHCHECK', () => {
    const plan = planScaffold(detection({ ...base, entrypoint: { file: 'train.py', kind: 'script' } }), {});
    assert.equal(plan.serving, false);
    const job = k8s(plan, 'k8s/job.yaml');
    assert.equal(job.kind, 'Job');
    assert.equal(job.spec.template.spec.restartPolicy, 'Never');
    assert.ok(!plan.files.some((f) => f.path === 'k8s/service.yaml' || f.path === 'k8s/hpa.yaml'));
    assert.doesNotMatch(file(plan, 'Dockerfile'), /HEALTHCHECK/);
  });
  test('createEntrypoint generates serve.py (stdlib + framework) and never replaces it', () => {
    const d = detection({ ...base, artifacts: [{ file: 'model.joblib', format: 'joblib', bytes: 10 }] });
    const plan = planScaffold(d, { createEntrypoint: true });
    const serve = file(plan, 'serve.py');
    assert.match(serve, /ThreadingHTTPServer/);
    assert.match(serve, /joblib\.load/);
    assert.match(serve, /\/healthz/);
    assert.match(serve, /\/predict/);
    assert.match(file(plan, 'Dockerfile'), /CMD \["python3","serve\.py"\]/);
    const again = planScaffold(d, { createEntrypoint: true, force: true }, (p) => (p === 'serve.py' ? 'my own server' : undefined));
    assert.equal(again.files.find((f) => f.path === 'serve.py')?.action, 'skip');
  });
  test('another output folder: the note says the generated serve.py is not in the build context', () => {
    const plan = planScaffold(detection(base), { createEntrypoint: true, layout: { context: '../proj', dockerfile: '../deploy/Dockerfile' } });
    assert.ok(plan.notes.some((n) => /copies modeldock_metrics\.py, serve\.py from the build context \(\.\.\/proj\)/.test(n)), plan.notes.join('\n'));
    assert.ok(!planScaffold(detection(base), { createEntrypoint: true }).notes.some((n) => /not the project folder/.test(n)));
  });
  test('no entrypoint and none requested: placeholder + note', () => {
    const plan = planScaffold(detection(base), {});
    assert.ok(plan.notes.some((n) => /No serving entrypoint/.test(n)));
  });
});

describe('compose and kubernetes', () => {
  const gpu = planScaffold(frameworkProject('pytorch', '2.4.1'), { target: 'gpu', gpuCount: 2, nodeSelector: { 'nvidia.com/gpu.product': 'A100' }, imageName: 'registry.example.com/team/clf', imageTag: '1.2.3' });
  test('compose: build, image, ports, volume, healthcheck, GPU devices, shm', () => {
    const c = parseYaml(file(gpu, 'compose.yaml')) as Doc;
    const svc = c.services.clf;
    assert.equal(svc.image, 'registry.example.com/team/clf:1.2.3');
    assert.deepEqual(svc.ports, ['8080:8080']);
    assert.deepEqual(svc.volumes, [{ type: 'bind', source: './models', target: '/models', read_only: true }]);
    assert.equal(svc.healthcheck.test[0], 'CMD');
    assert.deepEqual(svc.deploy.resources.reservations.devices, [{ driver: 'nvidia', count: 2, capabilities: ['gpu'] }]);
    assert.ok(svc.shm_size);
  });
  test('compose device_ids', () => {
    const p = planScaffold(frameworkProject('pytorch', '2.4.1'), { target: 'gpu', deviceIds: ['0', '3'] });
    const dev = (parseYaml(file(p, 'compose.yaml')) as Doc).services['demo-model'].deploy.resources.reservations.devices[0];
    assert.deepEqual(dev.device_ids, ['0', '3']);
    assert.equal(dev.count, undefined);
  });
  test('deployment: GPU limits = requests, toleration, nodeSelector, shm, probes, requests <= limits', () => {
    const d = k8s(gpu, 'k8s/deployment.yaml');
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    assert.equal(c.image, 'registry.example.com/team/clf:1.2.3');
    assert.equal(c.resources.limits['nvidia.com/gpu'], 2);
    assert.equal(c.resources.requests['nvidia.com/gpu'], 2);
    assert.deepEqual(pod.tolerations, [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    assert.deepEqual(pod.nodeSelector, { 'nvidia.com/gpu.product': 'A100' });
    assert.ok(pod.volumes.some((v: Doc) => v.emptyDir?.medium === 'Memory'));
    assert.ok(c.volumeMounts.some((m: Doc) => m.mountPath === '/dev/shm'));
    // No health route in this fixture: probes check the port (TCP), not /docs.
    assert.equal(c.readinessProbe.tcpSocket.port, 'http');
    assert.equal(c.livenessProbe.tcpSocket.port, 'http');
    assert.equal(c.readinessProbe.httpGet, undefined);
    const gi = (s: string): number => Number.parseFloat(s) * (s.endsWith('Gi') ? 1024 : 1);
    assert.ok(gi(c.resources.requests.memory) <= gi(c.resources.limits.memory));
    assert.ok(Number(c.resources.requests.cpu) <= Number(c.resources.limits.cpu));
    assert.equal(pod.securityContext.runAsNonRoot, true);
  });
  test('service and HPA autoscaling/v2', () => {
    assert.equal(k8s(gpu, 'k8s/service.yaml').spec.ports[0].targetPort, 'http');
    const h = k8s(gpu, 'k8s/hpa.yaml');
    assert.equal(h.apiVersion, 'autoscaling/v2');
    assert.equal(h.spec.scaleTargetRef.name, 'clf');
  });
  test('CPU deployment has no GPU, toleration or shm for non-torch', () => {
    const cpu = planScaffold(frameworkProject('scikit-learn', '1.4.2'), { target: 'cpu' });
    const pod = k8s(cpu, 'k8s/deployment.yaml').spec.template.spec;
    assert.equal(pod.tolerations, undefined);
    assert.ok(!JSON.stringify(pod).includes('/dev/shm'));
  });
  test('KServe: modelFormat for sklearn, custom container otherwise', () => {
    const sk = k8s(planScaffold(frameworkProject('scikit-learn', '1.4.2'), { outputs: { kserve: true } }), 'k8s/inferenceservice.yaml');
    assert.equal(sk.apiVersion, 'serving.kserve.io/v1beta1');
    assert.equal(sk.spec.predictor.model.modelFormat.name, 'sklearn');
    const cb = k8s(planScaffold(frameworkProject('catboost', '1.2.5'), { outputs: { kserve: true } }), 'k8s/inferenceservice.yaml');
    assert.equal(cb.spec.predictor.containers[0].name, 'kserve-container');
  });
  test('node selector keys and values follow the Kubernetes label syntax', () => {
    const bad = planScaffold(frameworkProject('pytorch', '2.4.1'), { target: 'gpu', nodeSelector: { 'nvidia.com/gpu product': 'A100', ok: 'a\nb' } });
    assert.equal(bad.errors.length, 2, bad.errors.join('\n'));
    assert.match(bad.errors[0]!, /node selector key 'nvidia\.com\/gpu product' is not a valid Kubernetes label key/);
    assert.match(bad.errors[1]!, /node selector value 'a\\u000ab' for ok/);
    assert.deepEqual(planScaffold(frameworkProject('pytorch', '2.4.1'), { target: 'gpu', nodeSelector: { 'cloud.google.com/gke-accelerator': 'nvidia-l4', tier: '' } }).errors, []);
  });
  test('latest tag is refused', () => {
    const p = planScaffold(frameworkProject('scikit-learn', '1.4.2'), { imageTag: 'latest' });
    assert.equal(p.image, 'demo-model:0.1.0');
  });
});

describe('file actions', () => {
  const d = frameworkProject('scikit-learn', '1.4.2');
  const first = planScaffold(d, {});
  const byPath = new Map(first.files.map((f) => [f.path, f.content]));
  test('create when absent', () => assert.ok(first.files.every((f) => f.action === 'create')));
  test('unchanged when identical', () => {
    const again = planScaffold(d, {}, (p) => byPath.get(p));
    assert.ok(again.files.every((f) => f.action === 'unchanged'));
  });
  test('skip when different, overwrite with force', () => {
    const other = (p: string): string | undefined => (p === 'Dockerfile' ? 'FROM scratch\n' : undefined);
    assert.equal(planScaffold(d, {}, other).files.find((f) => f.path === 'Dockerfile')?.action, 'skip');
    assert.equal(planScaffold(d, { force: true }, other).files.find((f) => f.path === 'Dockerfile')?.action, 'overwrite');
  });
  test('outputs select files', () => {
    const only = planScaffold(d, { outputs: { compose: false, kubernetes: false } });
    assert.deepEqual(only.files.map((f) => f.path).sort(), ['.dockerignore', 'Dockerfile', 'modeldock_app.py', 'modeldock_metrics.py']);
  });
});
