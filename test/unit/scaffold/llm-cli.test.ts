// `modeldock size` and `modeldock scaffold` with the LLM flags, on header-only model folders.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { main } from '../../../src/cli';
import type { CliIo } from '../../../src/cli/io';
import { PUBLISHED } from '../llm/fixtures';
import { writeHfFolder, writeLlamaGguf } from '../llm/modelFolders';

function io(cwd: string): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { cwd, out: (s) => stdout.push(s), err: (s) => stderr.push(s), stdout, stderr };
}

let root = '';
before(() => {
  root = mkdtempSync(join(tmpdir(), 'modeldock-llm-cli-'));
  writeHfFolder(join(root, 'p70b', 'Meta-Llama-3-70B'), PUBLISHED.llama3_70b.config);
  writeHfFolder(join(root, 'p8b', 'model'), PUBLISHED.llama3_8b.config);
  mkdirSync(join(root, 'gguf'));
  writeLlamaGguf(join(root, 'gguf', 'llama.Q4_K_M.gguf'), PUBLISHED.llama3_8b.config, 'Meta-Llama-3-8B');
  mkdirSync(join(root, 'empty'));
  writeFileSync(join(root, 'empty', 'requirements.txt'), 'numpy\n');
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('modeldock size', () => {
  test('a model folder on H100: the table, the verdict, exit 0', async () => {
    const t = io(root);
    const code = await main(['size', 'p70b/Meta-Llama-3-70B', '--gpu-type', 'h100-80gb', '--context', '8192', '--concurrency', '4'], t);
    assert.equal(code, 0, t.stderr.join('\n'));
    const out = t.stdout.join('\n');
    assert.match(out, /^Weights +131\.42 GiB +70,553,706,496 parameters, from the weight headers$/m);
    assert.match(out, /^KV cache per token +320 KiB +2 × 80 layers × 8 KV heads × 128 head dim × 2 B$/m);
    assert.match(out, /^2 × h100-80gb +does not fit +18,992 KV tokens/m);
    assert.match(out, /^4 × h100-80gb +fits +474,352 KV tokens/m);
    assert.match(out, /Fits on 4 × NVIDIA H100 80 GB/);
    assert.match(out, /3 × h100-80gb +not allowed +64 attention heads are not divisible by 3/);
  });

  test('auto picks the type that needs the fewest GPUs and lists what it considered', async () => {
    const t = io(root);
    assert.equal(await main(['size', 'p8b', '--concurrency', '4'], t), 0, t.stderr.join('\n'));
    const out = t.stdout.join('\n');
    assert.match(out, /GPU type: auto → NVIDIA L4 24 GB \(1 GPU/);
    assert.match(out, /considered: t4 — \(no bfloat16/);
  });

  test('does not fit: exit 1 and what would', async () => {
    const t = io(root);
    assert.equal(await main(['size', 'p70b', '--gpu-type', 'l4', '--concurrency', '8'], t), 1);
    const out = t.stdout.join('\n');
    assert.match(out, /Does not fit on up to 8 × NVIDIA L4/);
    assert.match(out, /B200/);
  });

  test('a GGUF file sizes for llama.cpp; --json has the report', async () => {
    const t = io(root);
    assert.equal(await main(['size', 'gguf/llama.Q4_K_M.gguf', '--gpu-type', 'l4', '--json'], t), 0, t.stderr.join('\n'));
    const j = JSON.parse(t.stdout.join('')) as { gpu: string; report: { runtime: string; fits: boolean; model: { weightBytes: number } } };
    assert.equal(j.gpu, 'l4');
    assert.equal(j.report.runtime, 'llama.cpp');
    assert.equal(j.report.fits, true);
    assert.equal(j.report.model.weightBytes, 4_912_898_048);
  });

  test('usage errors exit 2; a folder without an LLM exits 1', async () => {
    assert.equal(await main(['size', 'p8b', '--gpu-type', 'v100'], io(root)), 2);
    assert.equal(await main(['size', 'p8b', '--context', 'lots'], io(root)), 2);
    assert.equal(await main(['size'], io(root)), 2);
    assert.equal(await main(['size', 'nope'], io(root)), 2);
    const t = io(root);
    assert.equal(await main(['size', 'empty'], t), 1);
    assert.match(t.stderr.join('\n'), /holds no LLM/);
  });
});

describe('modeldock detect with an LLM', () => {
  test('the summary lists the model, its evidence and how to size it; --json has llm', async () => {
    const t = io(root);
    assert.equal(await main(['detect', 'p70b'], t), 0);
    const out = t.stdout.join('\n');
    assert.match(out, /^Large language model:$/m);
    assert.match(out, /^ {4}Meta-Llama-3-70B {2}LlamaForCausalLM/m);
    assert.match(out, /Meta-Llama-3-70B\/config.json:\d+ {2}config.json architectures/);
    assert.match(out, /modeldock size PATH --gpu-type TYPE/);
    const j = io(root);
    assert.equal(await main(['detect', 'p70b', '--json'], j), 0);
    const report = JSON.parse(j.stdout.join('')) as { llm: { models: { path: string; kind: string }[] } };
    assert.deepEqual(report.llm.models.map((m) => [m.path, m.kind]), [['Meta-Llama-3-70B', 'huggingface']]);
  });
});

describe('modeldock scaffold with an LLM', () => {
  test('no --runtime: a model folder gets vLLM, sized; --json carries llm', async () => {
    const t = io(root);
    const code = await main(['scaffold', 'p70b', '--gpu-type', 'h100-80gb', '--dry-run', '--json'], t);
    assert.equal(code, 0, t.stderr.join('\n'));
    const j = JSON.parse(t.stdout.join('')) as { runtime: string; llm: { gpu: { count: number; tensorParallel: number }; fits: boolean; chatRoute: string; hfTokenSecret: string }; container: { gpus: unknown; shmBytes: number } };
    assert.equal(j.runtime, 'vllm');
    assert.deepEqual(j.llm.gpu, { type: 'h100-80gb', count: 4, tensorParallel: 4 });
    assert.equal(j.llm.fits, true);
    assert.equal(j.llm.chatRoute, '/v1/chat/completions');
    assert.equal(j.llm.hfTokenSecret, 'p70b-hf-token');
    assert.deepEqual(j.container.gpus, { count: 4 });
    assert.equal(existsSync(join(root, 'p70b', 'Dockerfile')), false, 'dry run');
  });

  test('writes the files; --runtime tgi --context --concurrency --autoscale', async () => {
    const t = io(root);
    const code = await main(['scaffold', 'p8b', '--runtime', 'tgi', '--gpu-type', 'a100-80gb', '--context', '4096', '--concurrency', '16', '--autoscale'], t);
    assert.equal(code, 0, t.stderr.join('\n'));
    assert.match(t.stdout.join('\n'), /LLM: Hugging Face Text Generation Inference serving model on 1 × NVIDIA A100 80 GB/);
    const dep = parseYaml(readFileSync(join(root, 'p8b', 'k8s', 'deployment.yaml'), 'utf8')) as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
    const args = dep.spec.template.spec.containers[0]!.args;
    assert.equal(args[args.indexOf('--max-total-tokens') + 1], '4096');
    assert.ok(existsSync(join(root, 'p8b', 'k8s', 'hpa.yaml')));
    assert.match(readFileSync(join(root, 'p8b', 'k8s', 'hpa.yaml'), 'utf8'), /tgi_queue_size/);
  });

  test('does not fit: exit 1, nothing written, the reason on stderr', async () => {
    const t = io(root);
    assert.equal(await main(['scaffold', 'p70b', '--gpu-type', 'l4', '--concurrency', '8'], t), 1);
    assert.match(t.stderr.join('\n'), /does not fit on up to 8 × NVIDIA L4/);
    assert.equal(existsSync(join(root, 'p70b', 'Dockerfile')), false);
  });

  test('--model-id downloads from the Hub; a bad id or GPU type is a usage error or a plan error', async () => {
    const t = io(root);
    assert.equal(await main(['scaffold', 'empty', '--runtime', 'vllm', '--model-id', 'Qwen/Qwen2.5-7B-Instruct', '--dry-run', '--json'], t), 0, t.stderr.join('\n'));
    const j = JSON.parse(t.stdout.join('')) as { llm: { model: { source: string; id: string }; fits: null } };
    assert.deepEqual([j.llm.model.source, j.llm.model.id, j.llm.fits], ['hub', 'Qwen/Qwen2.5-7B-Instruct', null]);
    assert.equal(await main(['scaffold', 'empty', '--runtime', 'vllm', '--model-id', 'x', '--dry-run'], io(root)), 1);
    assert.equal(await main(['scaffold', 'p8b', '--gpu-type', 'z80', '--dry-run'], io(root)), 2);
    assert.equal(await main(['scaffold', 'p8b', '--runtime', 'ollama', '--dry-run'], io(root)), 2);
  });

  test('llama.cpp on a GGUF, CPU target', async () => {
    const t = io(root);
    assert.equal(await main(['scaffold', 'gguf', '--target', 'cpu', '--dry-run', '--json'], t), 0, t.stderr.join('\n'));
    const j = JSON.parse(t.stdout.join('')) as { runtime: string; baseImage: string; llm: { gpu: null } };
    assert.equal(j.runtime, 'llamacpp');
    assert.match(j.baseImage, /llama.cpp:server-b/);
    assert.equal(j.llm.gpu, null);
  });
});
