import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { cudaSatisfies, lintDockerfile } from '../../../src/core/lint';
import { cudaCompat } from '../../../src/core/cuda';
import { literalCuda } from './helpers';

describe('cudaSatisfies', () => {
  test('pytorch: same major, not older than the oldest CUDA of that major', () => {
    assert.equal(cudaSatisfies('pytorch', '12.4', ['11.8', '12.1']), true);
    assert.equal(cudaSatisfies('pytorch', '12.1', ['11.8', '12.1']), true);
    assert.equal(cudaSatisfies('pytorch', '12.0', ['11.8', '12.1']), false);
    assert.equal(cudaSatisfies('pytorch', '11.7', ['11.8', '12.1']), false);
    assert.equal(cudaSatisfies('pytorch', '13.0', ['11.8', '12.1']), false);
  });
  test('tensorflow: exact major.minor', () => {
    assert.equal(cudaSatisfies('tensorflow', '12.2', ['12.2']), true);
    assert.equal(cudaSatisfies('tensorflow', '12.3', ['12.2']), false);
  });
});

describe('cuda-mismatch with a literal table (the two CudaCompat questions only)', () => {
  test('flags the FROM image when its CUDA cannot run the pinned torch', () => {
    const text = '# syntax=docker/dockerfile:1\nFROM nvidia/cuda:11.7.1-runtime-ubuntu22.04 AS base\nRUN pip install torch==2.5.1\n';
    const f = lintDockerfile(text, 'Dockerfile', { pins: { pytorch: '2.5.1' }, cuda: literalCuda });
    assert.equal(f.length, 1);
    assert.deepEqual([f[0]!.line, f[0]!.column, f[0]!.endLine, f[0]!.endColumn], [2, 6, 2, 44]);
    assert.equal(f[0]!.rule, 'cuda-mismatch');
    assert.equal(f[0]!.severity, 'error');
    assert.match(f[0]!.message, /base image CUDA 11\.7 cannot run torch 2\.5\.1, which is built for CUDA 11\.8, 12\.1, 12\.4: use a base image with CUDA 12\.x ≥ 12\.1 or 11\.x ≥ 11\.8/);
  });
  test('tensorflow, global ARG substitution, --platform, multi-stage names', () => {
    const text = 'ARG CUDA=11.8.0\nFROM --platform=linux/amd64 nvidia/cuda:${CUDA}-cudnn8-runtime-ubuntu22.04 AS build\nFROM build\n';
    const f = lintDockerfile(text, 'Dockerfile', { pins: { tensorflow: '2.15.0' }, cuda: literalCuda });
    assert.equal(f.length, 1);
    assert.equal(f[0]!.line, 2);
    assert.match(f[0]!.message, /TensorFlow 2\.15\.0/);
  });
  test('negative: compatible, CPU image, unknown version, no pins', () => {
    const ok = 'FROM pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime\n';
    assert.deepEqual(lintDockerfile(ok, 'Dockerfile', { pins: { pytorch: '2.5.1' }, cuda: literalCuda }), []);
    assert.deepEqual(lintDockerfile('FROM python:3.11-slim\n', 'Dockerfile', { pins: { pytorch: '2.5.1' }, cuda: literalCuda }), []);
    assert.deepEqual(lintDockerfile('FROM nvidia/cuda:10.2-runtime\n', 'Dockerfile', { pins: { pytorch: '9.9.9' }, cuda: literalCuda }), []);
    assert.deepEqual(lintDockerfile('FROM nvidia/cuda:10.2-runtime\n', 'Dockerfile', {}), []);
  });
});

describe('cuda-mismatch with core/cuda (the judgement the scaffold uses)', () => {
  const lint = (text: string, pins: Record<string, string>) => lintDockerfile(text, 'Dockerfile', { pins, cuda: cudaCompat });

  test('torch 1.13.0 on CUDA 11.8 is accepted (the cu117 wheel runs there), as the scaffold does', () => {
    assert.deepEqual(lint('FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04\n', { pytorch: '1.13.0' }), []);
    assert.equal(lint('FROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04\n', { pytorch: '1.13.0' }).length, 1);
  });

  test('+cuXYZ labels: the image must carry that CUDA major, not older', () => {
    const f = lint('FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04\n', { pytorch: '2.3.1+cu121' });
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /a CUDA 12\.1 build \(\+cu121\)/);
    assert.deepEqual(lint('FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04\n', { pytorch: '2.3.1+cu121' }), []);
  });

  test('mixed +cu labels across torch packages: one error for the file', () => {
    const text = 'FROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04 AS a\nFROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04\n';
    const f = lint(text, { pytorch: '2.3.1+cu121', torchvision: '0.18.1+cu118' });
    assert.equal(f.filter((x) => /different builds/.test(x.message)).length, 1);
    assert.equal(lint('FROM python:3.11-slim\n', { pytorch: '2.5.1', torchvision: '0.19.1' }).length, 1, 'torchvision of another torch');
  });

  test('NGC framework containers, JAX and ONNX Runtime pins', () => {
    assert.match(lint('FROM nvcr.io/nvidia/pytorch:24.05-py3\n', { pytorch: '1.13.1' })[0]?.message ?? '', /CUDA 12\.4 cannot run torch 1\.13\.1/);
    assert.deepEqual(lint('FROM nvcr.io/nvidia/pytorch:25.01-py3\n', { pytorch: '2.7.1' }), []);
    assert.match(lint('FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04\n', { jax: '0.4.30' })[0]?.message ?? '', /jax 0\.4\.30/);
    assert.deepEqual(lint('FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04\n', { jax: '0.4.20' }), []);
    assert.match(lint('FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu22.04\n', { onnxruntime: '1.27.0' })[0]?.message ?? '', /onnxruntime-gpu 1\.27\.0/);
    assert.match(lint('FROM nvidia/cuda:12.1.1-cudnn8-runtime-ubuntu22.04\n', { onnxruntime: '1.20.0' })[0]?.message ?? '', /cuDNN 8/);
    assert.deepEqual(lint('FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04\n', { onnxruntime: '1.24.1' }), []);
  });

  test('escape directive, continuation lines, comments', () => {
    const text = '# escape=`\nFROM `\n  nvidia/cuda:13.0.2-cudnn-runtime-ubuntu22.04\n# FROM nvidia/cuda:10.0-base\n';
    const f = lint(text, { pytorch: '2.3.1' });
    assert.equal(f.length, 1);
    assert.equal(f[0]!.line, 2);
    assert.equal(f[0]!.column, 1, 'the image is on the next physical line: the finding points at the instruction');
  });
});

describe('worst-case inputs stay linear', () => {
  // Ceilings catch hangs only (the backtracking pattern took 7.6 s on 4 KB).
  const ceiling = (label: string, run: () => void): void => {
    const t0 = performance.now();
    run();
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `${label}: ${ms.toFixed(0)} ms`);
  };
  const pins = { pytorch: '2.3.1' };

  test('FROM followed by many spaces', () => {
    for (const n of [4_096, 200_000]) {
      ceiling(`FROM + ${n} spaces`, () => lintDockerfile(`FROM${' '.repeat(n)}\n`, 'Dockerfile', { pins, cuda: cudaCompat }));
      ceiling(`FROM + ${n} spaces + image`, () => lintDockerfile(`FROM${' '.repeat(n)}x${' '.repeat(n)}AS\n`, 'Dockerfile', { pins, cuda: cudaCompat }));
    }
  });

  test('many continuation lines, long ARG lists, unclosed ${ in a long token', () => {
    ceiling('50k continuation lines', () => lintDockerfile(`FROM \\\n${'  \\\n'.repeat(50_000)}nvidia/cuda:11.8.0-base\n`, 'Dockerfile', { pins, cuda: cudaCompat }));
    ceiling('long ARG', () => lintDockerfile(`ARG ${'a=b '.repeat(100_000)}\nFROM nvidia/cuda:11.8.0-base\n`, 'Dockerfile', { pins, cuda: cudaCompat }));
    ceiling('unclosed ${', () => lintDockerfile(`FROM ${'${a:-'.repeat(100_000)}\n`, 'Dockerfile', { pins, cuda: cudaCompat }));
    ceiling('many FROM lines', () => lintDockerfile('FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04\n'.repeat(20_000), 'Dockerfile', { pins, cuda: cudaCompat }));
  });
});
