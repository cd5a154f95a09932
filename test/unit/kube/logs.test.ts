import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { classifyLogLine, LineSplitter } from '../../../src/kube/logs';

describe('log line classifier', () => {
  const cases: [string, string | undefined][] = [
    ['torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 15.78 GiB total capacity)', 'cuda-oom'],
    ['RuntimeError: CUDA error: out of memory CUDA_ERROR_OUT_OF_MEMORY', 'cuda-oom'],
    ['2024-01-01 W tensorflow RESOURCE_EXHAUSTED: OOM when allocating tensor with shape[1024,1024]', 'cuda-oom'],
    ['RuntimeError: CUDA error: no kernel image is available for execution on the device', 'no-kernel-image'],
    ['NVIDIA H100 with CUDA capability sm_90 is not compatible with the current PyTorch installation.', 'no-kernel-image'],
    ['node-1:42:42 [0] NCCL WARN Call to connect returned Connection refused', 'nccl'],
    ['torch.distributed.DistBackendError: NCCL error in: ProcessGroupNCCL.cpp:1275, unhandled system error, ncclSystemError', 'nccl'],
    ['[Rank 0] Watchdog caught collective operation timeout: WorkNCCL ProcessGroupNCCL timed out', 'nccl'],
    ['── container main restarted (restart #1; last run ended: OOMKilled, exit code 137) ──', 'oom-killed'],
    ['Out of memory: Killed process 1234 (python)', 'oom-killed'],
    ['RuntimeError: Found no NVIDIA driver on your system.', 'cuda-driver'],
    ['Traceback (most recent call last):', 'traceback'],
    ['epoch 3 loss 0.123', undefined],
    ['memory usage 1.2 GiB, cuda available: True', undefined],
    ['INFO nccl version 2.18.1', undefined],
  ];
  for (const [line, expected] of cases) {
    test(`${expected ?? 'plain'}: ${line.slice(0, 60)}`, () => {
      assert.equal(classifyLogLine(line)?.problem, expected);
    });
  }
  test('every class carries a hint a person can act on', () => {
    const cls = classifyLogLine('CUDA out of memory');
    assert.equal(cls?.severity, 'error');
    assert.match(cls?.hint ?? '', /batch size/);
  });
});

describe('LineSplitter', () => {
  test('joins chunks split mid-line and mid-CRLF', () => {
    const out: string[] = [];
    const s = new LineSplitter((l) => out.push(l));
    s.push('hel');
    s.push('lo\r');
    s.push('\nwor');
    s.push('ld\n\npartial');
    assert.deepEqual(out, ['hello', 'world', '']);
    s.flush();
    assert.deepEqual(out, ['hello', 'world', '', 'partial']);
  });
});
