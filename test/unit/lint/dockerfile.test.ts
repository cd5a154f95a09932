import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { cudaSatisfies, lintDockerfile } from '../../../src/core/lint';
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

describe('cuda-mismatch', () => {
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
