// LLM servers as scaffold runtimes, end to end on real files: header-only model folders written
// to a temporary project, detected by the real detector, read by the real header readers, planned
// and linted. The figures are the sizing tests' (test/unit/llm/sizing.test.ts): Llama-3-8B bf16
// on one L4 holds 32,960 KV tokens (8,192 × 4 = 32,768 fit); Llama-3-70B bf16 on H100 80GB needs
// tensor parallel 4 for 8,192 × 4 (TP 2 holds 18,992 tokens).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { detectProject } from '../../../src/core/detect/index';
import type { DetectionResult } from '../../../src/core/detect/types';
import { createLinter, lintDockerfile } from '../../../src/core/lint';
import { cudaCompat } from '../../../src/core/cuda';
import { LLM_RUNTIMES } from '../../../src/core/llm/runtimes';
import {
  defaultRuntime,
  llmModelChoices,
  planScaffold,
  runtimeOptions,
  suggestedRuntimes,
  type ScaffoldChoices,
  type ScaffoldPlan,
} from '../../../src/core/scaffold/index';
import { PUBLISHED } from '../llm/fixtures';
import { writeHfFolder, writeLlamaGguf } from '../llm/modelFolders';
import { checkDockerfile, file } from './helpers';

type Rec = Record<string, unknown>;
const linter = createLinter();

function lintErrors(plan: ScaffoldPlan): string[] {
  const out: string[] = [];
  for (const f of plan.files) {
    const found = /\.ya?ml$/.test(f.path) ? linter.lintYaml(f.content, f.path) : /Dockerfile$/.test(f.path) ? lintDockerfile(f.content, f.path, { pins: {}, cuda: cudaCompat }) : [];
    for (const x of found) if (x.severity === 'error') out.push(`${f.path}:${x.line} ${x.rule} ${x.message}`);
  }
  return out;
}

function yaml(plan: ScaffoldPlan, path: string): Rec {
  return parseYaml(file(plan, path)) as Rec;
}

function container(plan: ScaffoldPlan): Rec {
  const d = yaml(plan, 'k8s/deployment.yaml') as { spec: { template: { spec: { containers: Rec[] } } } };
  return d.spec.template.spec.containers[0]!;
}

function podSpec(plan: ScaffoldPlan): Rec {
  return (yaml(plan, 'k8s/deployment.yaml') as { spec: { template: { spec: Rec } } }).spec.template.spec;
}

function argValue(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

let root = '';
const projects: Record<string, DetectionResult> = {};

function plan(name: string, choices: ScaffoldChoices): ScaffoldPlan {
  const d = projects[name]!;
  const runtime = choices.runtime ?? defaultRuntime(d);
  return planScaffold(d, { ...choices, runtime, llm: llmModelChoices(d, runtime, choices.llm) });
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'modeldock-llm-'));
  // An 8B model folder and nothing else.
  writeHfFolder(join(root, 'p8b', 'models', 'llama-3-8b'), { ...PUBLISHED.llama3_8b.config, _name_or_path: 'meta-llama/Meta-Llama-3-8B' });
  // 70B with a requirements file naming vLLM.
  writeHfFolder(join(root, 'p70b', 'Meta-Llama-3-70B'), PUBLISHED.llama3_70b.config);
  writeFileSync(join(root, 'p70b', 'requirements.txt'), 'vllm==0.27.1\n');
  // A GGUF file (Q4_K_M) and llama-cpp-python.
  mkdirSync(join(root, 'pgguf'));
  writeLlamaGguf(join(root, 'pgguf', 'llama-3-8b.Q4_K_M.gguf'), PUBLISHED.llama3_8b.config, 'Meta-Llama-3-8B');
  writeFileSync(join(root, 'pgguf', 'requirements.txt'), 'llama-cpp-python==0.3.16\n');
  // Code only: the model comes from the Hub.
  mkdirSync(join(root, 'phub'));
  writeFileSync(join(root, 'phub', 'requirements.txt'), 'transformers==4.57.1\ntorch==2.9.0\n');
  writeFileSync(join(root, 'phub', 'generate.py'), 'from transformers import AutoModelForCausalLM\nmodel = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-7B-Instruct")\n');
  // A base model without a chat template, and a name that must be cleaned for paths.
  writeHfFolder(join(root, 'pbase', 'my model (base)'), PUBLISHED.mistral_7b.config, { chatTemplate: false });
  for (const n of ['p8b', 'p70b', 'pgguf', 'phub', 'pbase']) projects[n] = await detectProject(join(root, n));
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('LLM runtimes: choice and defaults', () => {
  test('a model folder alone defaults to vLLM, and every LLM server is offered', () => {
    const d = projects.p8b!;
    assert.equal(d.accelerator, 'gpu', 'a folder of LLM weights is served on GPUs');
    assert.equal(defaultRuntime(d), 'vllm');
    assert.deepEqual(suggestedRuntimes(d), ['python', 'vllm', 'sglang', 'tgi']);
    const o = runtimeOptions(d).find((x) => x.runtime === 'vllm')!;
    assert.match(o.reason, /models\/llama-3-8b/);
    assert.match(o.reason, /LlamaForCausalLM/);
  });

  test('the runtime a dependency names comes first; GGUF gets llama.cpp', () => {
    assert.equal(suggestedRuntimes(projects.pgguf!).includes('llamacpp'), true);
    assert.equal(defaultRuntime(projects.pgguf!), 'llamacpp');
    assert.ok(!suggestedRuntimes(projects.pgguf!).includes('vllm') || projects.pgguf!.llm?.runtimes.some((r) => r.name !== 'llama.cpp'));
    assert.deepEqual(suggestedRuntimes(projects.p70b!).slice(1, 2), ['vllm']);
  });

  test('code that loads a Hub model offers the GPU servers, keeps python first', () => {
    const d = projects.phub!;
    assert.equal(defaultRuntime(d), 'python', 'no model in the project: nothing overrides the default');
    assert.deepEqual(suggestedRuntimes(d), ['python', 'vllm', 'sglang', 'tgi']);
  });
});

describe('vLLM on a Llama-3-8B folder (GPU auto)', () => {
  let p: ScaffoldPlan;
  before(() => {
    p = plan('p8b', { outputs: { kserve: true }, llm: { autoscale: true } });
  });

  test('sized: one L4, tensor parallel 1, 8,192 × 4, with the arithmetic in the plan', () => {
    assert.deepEqual(p.errors, []);
    const l = p.llm!;
    assert.equal(l.runtime, 'vllm');
    assert.equal(l.gpu?.type, 'l4', 'the cheapest class that holds it on one GPU (T4 has no bfloat16)');
    assert.equal(l.gpu?.count, 1);
    assert.equal(l.gpu?.tensorParallel, 1);
    assert.equal(l.sizing?.fits, true);
    assert.equal(l.sizing?.chosen?.kvTokens, 32_960);
    assert.equal(l.sizing?.model.parameters, PUBLISHED.llama3_8b.params, 'parameter count from the headers, exactly');
    assert.ok(l.sizing!.rows.some((r) => r.label === 'KV cache per token' && r.value === '128 KiB'));
    const t4 = l.gpuCandidates.find((c) => c.id === 't4');
    assert.equal(t4?.gpuCount, null);
    assert.match(t4?.note ?? '', /bfloat16/);
  });

  test('the image is the runtime\'s pinned image; the Dockerfile copies no weights', () => {
    assert.equal(p.baseImage, LLM_RUNTIMES.vllm.images.find((i) => i.variant === 'cuda12')!.image);
    const df = file(p, 'Dockerfile');
    const { froms } = checkDockerfile(df);
    assert.deepEqual(froms, ['vllm/vllm-openai:v0.27.1-cu129']);
    assert.doesNotMatch(df, /^COPY /m);
    assert.match(df, /^ENTRYPOINT \["vllm","serve"\]$/m);
    assert.match(df, /^CMD \["\/models\/llama-3-8b","--host","0.0.0.0","--port","8000","--tensor-parallel-size","1","--max-model-len","8192","--gpu-memory-utilization","0.90","--served-model-name","llama-3-8b"\]$/m);
    assert.match(file(p, '.dockerignore'), /^models\/llama-3-8b$/m);
  });

  test('Kubernetes: nvidia.com/gpu = TP, /dev/shm in memory, model from a read-only PVC, token from a Secret', () => {
    const c = container(p) as { args: string[]; resources: { requests: Rec; limits: Rec }; env: Rec[]; volumeMounts: Rec[] };
    assert.equal(argValue(c.args, '--tensor-parallel-size'), '1');
    assert.equal(c.resources.limits['nvidia.com/gpu'], 1);
    assert.equal(c.resources.requests['nvidia.com/gpu'], 1);
    const spec = podSpec(p) as { volumes: Rec[] };
    const shm = spec.volumes.find((v) => v.name === 'dshm') as { emptyDir: Rec };
    assert.deepEqual(shm.emptyDir, { medium: 'Memory', sizeLimit: '16Gi' });
    assert.ok(c.volumeMounts.some((m) => m.mountPath === '/dev/shm'));
    // The memory-backed /dev/shm counts against the limit: the limit has room for it.
    assert.equal(c.resources.limits.memory, '32Gi');
    assert.equal(c.resources.requests.memory, '16Gi');
    const models = spec.volumes.find((v) => v.name === 'models') as { persistentVolumeClaim: Rec };
    assert.deepEqual(models.persistentVolumeClaim, { claimName: 'p8b-models', readOnly: true });
    assert.deepEqual(c.volumeMounts.find((m) => m.name === 'models'), { name: 'models', mountPath: '/models/llama-3-8b', readOnly: true });
    const token = c.env.find((e) => e.name === 'HF_TOKEN') as { value?: unknown; valueFrom: { secretKeyRef: Rec } };
    assert.equal(token.value, undefined);
    assert.deepEqual(token.valueFrom.secretKeyRef, { name: 'p8b-hf-token', key: 'HF_TOKEN', optional: true });
    const pvc = yaml(p, 'k8s/pvc.yaml') as { spec: { resources: { requests: { storage: string } }; accessModes: string[] } };
    assert.equal(pvc.spec.resources.requests.storage, '19Gi', '14.96 GiB of weights × 1.2 + 1 GiB, rounded up');
  });

  test('probes: startup budget from the weights, readiness on the runtime\'s health route', () => {
    const c = container(p) as Record<string, { httpGet: { path: string }; periodSeconds: number; failureThreshold: number }>;
    assert.equal(c.readinessProbe!.httpGet.path, LLM_RUNTIMES.vllm.healthPath.value);
    assert.equal(c.startupProbe!.httpGet.path, '/health');
    // 180 s + 16.06 GB / 250 MB/s = 244 s, rounded up to whole minutes.
    assert.equal(p.llm!.startupSeconds, 300);
    assert.equal(c.startupProbe!.periodSeconds * c.startupProbe!.failureThreshold, 300);
    const big = plan('p70b', { llm: { gpu: 'h100-80gb' } });
    const cb = container(big) as Record<string, { periodSeconds: number; failureThreshold: number }>;
    // 141.1 GB / 250 MB/s = 564 s + 180 s = 744 s → 780 s.
    assert.equal(big.llm!.startupSeconds, 780);
    assert.equal(cb.startupProbe!.periodSeconds * cb.startupProbe!.failureThreshold, 780);
  });

  test('compose: the same GPUs and shm, the model bind-mounted read-only, HF_TOKEN from the shell', () => {
    const c = (yaml(p, 'compose.yaml') as { services: Record<string, Rec> }).services.p8b as {
      shm_size: string;
      deploy: { resources: { reservations: { devices: Rec[] } } };
      volumes: Rec[];
      environment: Rec;
    };
    assert.equal(c.shm_size, '16gb');
    assert.equal(c.deploy.resources.reservations.devices[0]!.count, 1);
    assert.deepEqual(c.volumes[0], { type: 'bind', source: './models/llama-3-8b', target: '/models/llama-3-8b', read_only: true });
    assert.ok('HF_TOKEN' in c.environment);
    assert.equal(c.environment.HF_TOKEN, null, 'no value: passed through from the shell');
    // Build & Run gets the same mount as data.
    assert.deepEqual(p.container.mounts, [{ source: 'models/llama-3-8b', target: '/models/llama-3-8b', readOnly: true }]);
  });

  test('autoscaler on the queue metric; KServe with the Hugging Face runtime', () => {
    const hpa = yaml(p, 'k8s/hpa.yaml') as { spec: { metrics: { type: string; pods: { metric: { name: string } } }[] } };
    assert.equal(hpa.spec.metrics[0]!.type, 'Pods');
    assert.equal(hpa.spec.metrics[0]!.pods.metric.name, 'vllm_num_requests_waiting');
    assert.match(file(p, 'k8s/hpa.yaml'), /seriesQuery: 'vllm:num_requests_waiting/);
    const isvc = yaml(p, 'k8s/inferenceservice.yaml') as { spec: { predictor: { model: { modelFormat: Rec; storageUri: string; args: string[]; env: Rec[] } } } };
    const m = isvc.spec.predictor.model;
    assert.deepEqual(m.modelFormat, { name: 'huggingface' });
    assert.equal(m.storageUri, 'pvc://p8b-models/');
    assert.ok(m.args.includes('--model_name=llama-3-8b'));
    assert.ok(m.args.includes('--max_model_len=8192'));
    assert.ok(m.env.some((e) => e.name === 'HF_TOKEN' && (e.valueFrom as Rec | undefined)?.secretKeyRef));
  });

  test('no file holds a token, and every file lints clean', () => {
    for (const f of p.files) assert.doesNotMatch(f.content, /hf_[A-Za-z0-9]{8,}/, f.path);
    assert.deepEqual(lintErrors(p), []);
  });
});

describe('Llama-3-70B: tensor parallel from the sizing', () => {
  test('on H100 80GB, 8,192 × 4: four GPUs, TP 4, in every output', () => {
    const p = plan('p70b', { llm: { gpu: 'h100-80gb' }, outputs: { kserve: true } });
    assert.deepEqual(p.errors, []);
    assert.equal(p.llm!.gpu!.count, 4);
    assert.equal(p.llm!.gpu!.tensorParallel, 4);
    const c = container(p) as { args: string[]; resources: { limits: Rec } };
    assert.equal(argValue(c.args, '--tensor-parallel-size'), '4');
    assert.equal(c.resources.limits['nvidia.com/gpu'], 4);
    const compose = (yaml(p, 'compose.yaml') as { services: Record<string, { deploy: { resources: { reservations: { devices: Rec[] } } } }> }).services.p70b!;
    assert.equal(compose.deploy.resources.reservations.devices[0]!.count, 4);
    assert.deepEqual(p.container.gpus, { count: 4 });
    assert.equal(p.container.shmBytes, 16 * 1024 ** 3);
    const isvc = yaml(p, 'k8s/inferenceservice.yaml') as { spec: { predictor: { model: { args: string[] } } } };
    assert.ok(isvc.spec.predictor.model.args.includes('--tensor-parallel-size=4'));
    assert.deepEqual(lintErrors(p), []);
  });

  test('--gpus is not obeyed against the sizing (a note says so)', () => {
    const p = plan('p70b', { llm: { gpu: 'h100-80gb' }, gpuCount: 2 });
    assert.equal(p.llm!.gpu!.count, 4);
    assert.ok(p.notes.some((n) => /not the 2 asked for/.test(n)));
  });

  test('does not fit on 8 × L4 for 8,192 × 8: an error that says what would', () => {
    const p = plan('p70b', { llm: { gpu: 'l4', concurrency: 8 } });
    assert.equal(p.errors.length, 1);
    assert.match(p.errors[0]!, /does not fit on up to 8 × NVIDIA L4/);
    assert.match(p.errors[0]!, /55,712 tokens of KV cache/);
    assert.match(p.errors[0]!, /What would: .*B200.*--max-model-len 6,144/);
    assert.equal(p.llm!.sizing!.fits, false);
    assert.ok(p.llm!.sizing!.alternatives.length > 3);
  });

  test('TGI on the same model: --num-shard, port 8080, maintenance note', () => {
    const p = plan('p70b', { runtime: 'tgi', llm: { gpu: 'h100-80gb' } });
    assert.deepEqual(p.errors, []);
    const c = container(p) as { args: string[]; ports: Rec[] };
    assert.equal(argValue(c.args, '--num-shard'), '4');
    assert.equal(argValue(c.args, '--port'), '8080');
    assert.equal(c.ports[0]!.containerPort, 8080);
    assert.ok(p.notes.some((n) => /maintenance mode/.test(n)));
    assert.deepEqual(lintErrors(p), []);
  });

  test('SGLang: the whole command (its image has no entrypoint), metrics on, 32 GiB shm', () => {
    const p = plan('p70b', { runtime: 'sglang', llm: { gpu: 'h100-80gb', autoscale: true } });
    assert.deepEqual(p.errors, []);
    const c = container(p) as { command: string[]; args?: string[] };
    assert.deepEqual(c.command.slice(0, 3), ['python3', '-m', 'sglang.launch_server']);
    assert.equal(c.args, undefined);
    assert.ok(c.command.includes('--enable-metrics'));
    assert.equal(argValue(c.command, '--tp-size'), '4');
    const shm = (podSpec(p) as { volumes: Rec[] }).volumes.find((v) => v.name === 'dshm') as { emptyDir: Rec };
    assert.equal(shm.emptyDir.sizeLimit, '32Gi');
    const hpa = yaml(p, 'k8s/hpa.yaml') as { spec: { metrics: { pods: { metric: { name: string } } }[] } };
    assert.equal(hpa.spec.metrics[0]!.pods.metric.name, 'sglang_num_queue_reqs');
    assert.doesNotMatch(file(p, 'Dockerfile'), /^ENTRYPOINT/m);
    assert.deepEqual(lintErrors(p), []);
  });

  test('--cuda 13.0 picks the CUDA 13 build; an unknown CUDA is an error', () => {
    const p = plan('p70b', { llm: { gpu: 'h100-80gb' }, cuda: '13.0' });
    assert.equal(p.baseImage, 'vllm/vllm-openai:v0.27.1');
    assert.equal(p.cuda, '13.0');
    const bad = plan('p70b', { runtime: 'tgi', llm: { gpu: 'h100-80gb' }, cuda: '13.0' });
    assert.match(bad.errors.join(' '), /no pinned image for CUDA 13.0/);
  });
});

describe('llama.cpp on a GGUF file', () => {
  test('CPU: the CPU image, no GPUs, no -ngl, RAM sized from weights + KV cache', () => {
    const p = plan('pgguf', { target: 'cpu' });
    assert.deepEqual(p.errors, []);
    assert.equal(p.target, 'cpu');
    assert.equal(p.baseImage, LLM_RUNTIMES['llama.cpp'].images.find((i) => i.variant === 'cpu')!.image);
    const c = container(p) as { args: string[]; resources: { limits: Rec; requests: Rec }; env?: Rec[] };
    assert.ok(!c.args.includes('-ngl'));
    assert.equal(argValue(c.args, '-c'), String(8192 * 4), 'llama.cpp -c is all slots together');
    assert.equal(argValue(c.args, '-np'), '4');
    assert.equal(c.resources.limits['nvidia.com/gpu'], undefined);
    // 4.58 GiB Q4_K_M + 4 GiB f16 KV = 8.58 GiB × 1.1 + 1 → 11 Gi.
    assert.equal(c.resources.limits.memory, '11Gi');
    assert.equal(c.env, undefined, 'a local GGUF needs no Hub settings and no token');
    assert.doesNotMatch(file(p, 'k8s/deployment.yaml'), /HF_TOKEN/);
    assert.equal(p.llm!.gpu, null);
    assert.deepEqual(lintErrors(p), []);
  });

  test('GPU: the CUDA image, -ngl 999, sized on the GPU type', () => {
    const p = plan('pgguf', { target: 'gpu', llm: { gpu: 'l4' } });
    assert.deepEqual(p.errors, []);
    assert.match(p.baseImage ?? '', /server-cuda-/);
    const c = container(p) as { args: string[]; resources: { limits: Rec } };
    assert.equal(argValue(c.args, '-ngl'), '999');
    assert.equal(c.resources.limits['nvidia.com/gpu'], 1);
    // The sizing test's figure for this file on one L4 (f16 KV cache, 4 slots of 8,192).
    assert.equal(p.llm!.sizing!.chosen!.kvTokens, 126_944);
    assert.deepEqual(lintErrors(p), []);
  });

  test('compose mounts the file itself; the PVC holds it at its root', () => {
    const p = plan('pgguf', { target: 'gpu', llm: { gpu: 'l4' } });
    const c = (yaml(p, 'compose.yaml') as { services: Record<string, { volumes: Rec[] }> }).services.pgguf!;
    assert.deepEqual(c.volumes[0], { type: 'bind', source: './llama-3-8b.Q4_K_M.gguf', target: '/models/llama-3-8b.Q4_K_M.gguf', read_only: true });
    assert.equal(argValue((container(p) as { args: string[] }).args, '-m'), '/models/llama-3-8b.Q4_K_M.gguf');
  });

  test('no Hub download for llama.cpp', () => {
    const p = plan('pgguf', { llm: { source: 'hub', modelId: 'org/model' } });
    assert.match(p.errors.join(' '), /llama.cpp serves a GGUF file from the project/);
  });
});

describe('models from the Hugging Face Hub', () => {
  test('the id the code loads, downloaded into a mounted cache; not sized', () => {
    const p = plan('phub', { runtime: 'vllm', gpuCount: 2 });
    assert.deepEqual(p.errors, []);
    assert.equal(p.llm!.model.source, 'hub');
    assert.equal(p.llm!.model.id, 'Qwen/Qwen2.5-7B-Instruct');
    assert.equal(p.llm!.sizing, null);
    assert.match(p.llm!.sizingNote ?? '', /not sized/);
    assert.equal(p.llm!.gpu!.count, 2);
    const c = container(p) as { args: string[]; env: Rec[]; volumeMounts: Rec[] };
    assert.equal(c.args[0], 'Qwen/Qwen2.5-7B-Instruct');
    assert.equal(argValue(c.args, '--tensor-parallel-size'), '2');
    assert.ok(c.env.some((e) => e.name === 'HF_HOME' && e.value === '/hf-cache'));
    assert.ok(!c.env.some((e) => e.name === 'HF_HUB_OFFLINE'));
    assert.ok(c.volumeMounts.some((m) => m.mountPath === '/hf-cache' && m.readOnly === undefined));
    const cache = yaml(p, 'k8s/hf-cache-pvc.yaml') as { spec: { accessModes: string[] } };
    assert.deepEqual(cache.spec.accessModes, ['ReadWriteOnce']);
    const compose = parseYaml(file(p, 'compose.yaml')) as { volumes: Rec; services: Record<string, { volumes: Rec[] }> };
    assert.ok('hf-cache' in compose.volumes);
    assert.deepEqual(compose.services.phub!.volumes[0], { type: 'volume', source: 'hf-cache', target: '/hf-cache' });
    assert.ok(!p.files.some((f) => f.path === 'k8s/pvc.yaml'));
    assert.deepEqual(lintErrors(p), []);
  });

  test('a given id wins; a malformed one is refused; none at all is an error', () => {
    assert.equal(plan('phub', { runtime: 'vllm', llm: { modelId: 'mistralai/Mistral-7B-Instruct-v0.3', source: 'hub' } }).llm!.model.id, 'mistralai/Mistral-7B-Instruct-v0.3');
    assert.match(plan('phub', { runtime: 'vllm', llm: { modelId: '../etc/passwd', source: 'hub' } }).errors.join(' '), /not a Hugging Face repository id/);
    const bare = { ...projects.phub!, llm: { ...projects.phub!.llm!, hubModels: [] } };
    const p = planScaffold(bare, { runtime: 'vllm' });
    assert.match(p.errors.join(' '), /no model to serve/);
  });
});

describe('names and layouts from the workspace', () => {
  test('a folder name with spaces and parentheses: clean container paths, quoted where it stays', () => {
    const p = plan('pbase', { runtime: 'vllm', llm: { gpu: 'a100-80gb' } });
    assert.deepEqual(p.errors, []);
    assert.equal(p.llm!.model.served, '/models/my_model_base_');
    assert.equal(p.llm!.model.servedName, 'my-model-base');
    const compose = (yaml(p, 'compose.yaml') as { services: Record<string, { volumes: Rec[] }> }).services.pbase!;
    assert.equal(compose.volumes[0]!.source, './my model (base)');
    assert.match(file(p, '.dockerignore'), /^my model \(base\)$/m);
    assert.deepEqual(lintErrors(p), []);
  });

  test('a base model (no chat template) is known to the plan', () => {
    const p = plan('pbase', { runtime: 'vllm', llm: { gpu: 'a100-80gb' } });
    assert.equal(p.llm!.model.chatTemplate, false);
    assert.equal(plan('p8b', {}).llm!.model.chatTemplate, true);
  });

  test('weights baked in only when asked: COPY, no PVC, no mount', () => {
    const p = plan('p8b', { weightsInImage: true });
    assert.deepEqual(p.errors, []);
    assert.match(file(p, 'Dockerfile'), /^COPY models\/llama-3-8b \/models\/llama-3-8b$/m);
    assert.doesNotMatch(file(p, '.dockerignore'), /^models\/llama-3-8b$/m);
    assert.ok(!p.files.some((f) => f.path === 'k8s/pvc.yaml'));
    assert.ok(p.notes.some((n) => /copied into the image/.test(n)));
  });

  test('a model folder name with a line break is refused, nothing generated', () => {
    const d = projects.p8b!;
    const evil: DetectionResult = {
      ...d,
      artifacts: [{ file: 'models/x\nRUN curl evil', format: 'huggingface', bytes: 10 }],
      llm: { ...d.llm!, models: [{ ...d.llm!.models[0]!, path: 'models/x\nRUN curl evil' }] },
    };
    const p = planScaffold(evil, { runtime: 'vllm', weightsInImage: true });
    assert.equal(p.files.length, 0);
    assert.match(p.errors.join(' '), /control character/);
  });

  test('the model facts must be the served model\'s', () => {
    const d = projects.p8b!;
    const p = planScaffold(d, { runtime: 'vllm', llm: { read: { path: 'elsewhere', facts: null, problem: null, chatTemplate: null } } });
    assert.equal(p.llm!.sizing, null);
    assert.ok(p.notes.some((n) => /not used/.test(n)));
  });

  test('reads stay inside the project: a model folder linked from outside is not read', () => {
    const outside = join(root, 'outside-model');
    writeHfFolder(outside, PUBLISHED.llama3_8b.config);
    const proj = join(root, 'plink');
    mkdirSync(proj);
    symlinkSync(outside, join(proj, 'model'));
    const d: DetectionResult = {
      ...projects.p8b!,
      root: proj,
      llm: { ...projects.p8b!.llm!, models: [{ ...projects.p8b!.llm!.models[0]!, path: 'model' }] },
    };
    const llm = llmModelChoices(d, 'vllm', undefined);
    assert.equal(llm?.read?.facts, null);
    assert.match(llm?.read?.problem ?? '', /could not be read/);
    assert.equal(llm?.read?.chatTemplate, null, 'the tokenizer config outside is not read either');
    assert.equal(planScaffold(d, { runtime: 'vllm', ...(llm ? { llm } : {}) }).llm!.sizing, null);
  });

  test('unknown GPU type and bad numbers are errors', () => {
    assert.match(plan('p8b', { llm: { gpu: 'v100' } }).errors.join(' '), /unknown GPU type 'v100'/);
    assert.match(plan('p8b', { llm: { contextLength: 3 } }).errors.join(' '), /context length 3/);
    assert.match(plan('p8b', { llm: { concurrency: 0 } }).errors.join(' '), /concurrency 0/);
  });

  test('a context longer than the model\'s is capped at its maximum', () => {
    const p = plan('p8b', { llm: { contextLength: 100_000, concurrency: 1, gpu: 'h100-80gb' } });
    assert.equal(p.llm!.contextLength, 8192);
    assert.ok(p.llm!.sizing!.sentences.some((s) => /supports at most 8,192 tokens/.test(s)));
  });

  test('every YAML file is one parseable document set', () => {
    const p = plan('p8b', { outputs: { kserve: true }, llm: { autoscale: true } });
    for (const f of p.files.filter((x) => x.path.endsWith('.yaml'))) for (const d of parseAllDocuments(f.content)) assert.deepEqual(d.errors, [], f.path);
  });
});

describe('a model folder that is the project folder', () => {
  test('mounted from ".", its weights kept out of the build context by pattern', async () => {
    const dir = join(root, 'prootmodel');
    writeHfFolder(dir, PUBLISHED.mistral_7b.config);
    const d = await detectProject(dir);
    assert.equal(d.llm?.models[0]?.path, '.');
    const p = planScaffold(d, { runtime: 'vllm', llm: llmModelChoices(d, 'vllm', { gpu: 'a100-80gb' }) });
    assert.deepEqual(p.errors, []);
    assert.equal(p.llm!.model.served, '/models/prootmodel');
    const compose = (yaml(p, 'compose.yaml') as { services: Record<string, { volumes: Rec[] }> }).services.prootmodel!;
    assert.deepEqual(compose.volumes[0], { type: 'bind', source: '.', target: '/models/prootmodel', read_only: true });
    const ignore = file(p, '.dockerignore');
    assert.match(ignore, /^\*\.safetensors$/m);
    assert.doesNotMatch(ignore, /^\.$/m, 'the whole context is never ignored');
    assert.deepEqual(lintErrors(p), []);
  });
});
