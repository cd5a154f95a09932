import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { LLM_RUNTIMES, servingCommand, type ServingRecommendation } from '../../../src/core/llm/runtimes';

// Linux driver floors per CUDA toolkit (NVIDIA CUDA release notes, Table 3), as the facts use them.
const TOOLKIT_DRIVER: Record<string, string> = { '12.4': '550.54.14', '12.8': '570.26', '12.9': '575.51.03', '13.0': '580.65.06', '13': '580.65.06' };

function driverNum(v: string): number {
  const [a = 0, b = 0, c = 0] = v.split('.').map(Number);
  return a * 1e6 + b * 1e3 + c;
}

describe('LLM runtime facts', () => {
  for (const r of Object.values(LLM_RUNTIMES)) {
    test(`${r.id}: pinned images, driver floors that match their CUDA, and a source for every fact`, () => {
      assert.ok(r.images.length > 0);
      for (const img of r.images) {
        assert.match(img.image, /^[a-z0-9./-]+:[A-Za-z0-9._-]+$/);
        assert.doesNotMatch(img.image, /:latest|:server$|:main$/);
        assert.match(img.image.split(':')[1] ?? '', /\d/, `${img.image} is not pinned to a version`);
        assert.ok(img.source.length > 20);
        if (img.cuda) {
          const mm = img.cuda.split('.').slice(0, 2).join('.');
          const floor = TOOLKIT_DRIVER[mm];
          assert.ok(floor, `no driver floor known for CUDA ${img.cuda}`);
          assert.ok(img.minDriver && driverNum(img.minDriver) >= driverNum(floor), `${img.image}: driver ${img.minDriver} < ${floor}`);
        } else assert.equal(img.minDriver, null);
      }
      for (const f of [r.entrypoint, r.defaultPort, r.healthPath, r.openaiRoutes, r.metrics, r.flags, r.shm, r.tensorParallelRule]) {
        assert.ok(f.source.length > 10);
        assert.ok(['verified', 'secondary', 'inferred'].includes(f.confidence));
      }
      assert.match(r.metrics.value.queueMetric, /waiting|queue|deferred/);
      assert.ok(r.openaiRoutes.value.includes('/v1/chat/completions'));
    });
  }

  test('vLLM queue metric and TGI maintenance status', () => {
    assert.equal(LLM_RUNTIMES.vllm.metrics.value.queueMetric, 'vllm:num_requests_waiting');
    assert.match(LLM_RUNTIMES.tgi.status?.value ?? '', /maintenance mode/);
  });
});

describe('serving commands from a recommendation', () => {
  const rec = (runtime: ServingRecommendation['runtime'], extra: Partial<ServingRecommendation> = {}): ServingRecommendation => ({
    runtime,
    gpuType: 'l4',
    gpuCount: 2,
    tensorParallel: runtime === 'llama.cpp' ? null : 2,
    maxModelLen: 8192,
    gpuMemoryUtilization: runtime === 'llama.cpp' ? null : 0.9,
    concurrency: 4,
    kvCacheDtype: 'auto',
    quantization: null,
    ...extra,
  });

  test('vLLM: positional model, TP, max len, utilization, FP8 KV', () => {
    assert.deepEqual(servingCommand(rec('vllm', { kvCacheDtype: 'fp8' }), '/models/llama', { servedModelName: 'llama' }), {
      command: null,
      args: ['/models/llama', '--host', '0.0.0.0', '--port', '8000', '--tensor-parallel-size', '2', '--max-model-len', '8192', '--gpu-memory-utilization', '0.90', '--kv-cache-dtype', 'fp8', '--served-model-name', 'llama'],
    });
  });

  test('SGLang: the whole command (its image has no entrypoint), metrics on', () => {
    const c = servingCommand(rec('sglang', { gpuMemoryUtilization: 0.86 }), '/models/llama');
    assert.deepEqual(c.command?.slice(0, 5), ['python3', '-m', 'sglang.launch_server', '--model-path', '/models/llama']);
    assert.ok(c.command?.includes('--enable-metrics'));
    assert.deepEqual(c.command?.slice(c.command.indexOf('--mem-fraction-static'), c.command.indexOf('--mem-fraction-static') + 2), ['--mem-fraction-static', '0.86']);
  });

  test('TGI: shards, total and input tokens', () => {
    assert.deepEqual(servingCommand(rec('tgi'), '/data/m').args, ['--model-id', '/data/m', '--port', '80', '--num-shard', '2', '--max-total-tokens', '8192', '--max-input-tokens', '8191', '--cuda-memory-fraction', '0.90']);
  });

  test('llama.cpp: -c is the context of all slots', () => {
    assert.deepEqual(servingCommand(rec('llama.cpp'), '/models/m.gguf').args, ['-m', '/models/m.gguf', '--host', '0.0.0.0', '--port', '8080', '-c', '32768', '-np', '4', '-ngl', '999', '--metrics']);
  });
});
