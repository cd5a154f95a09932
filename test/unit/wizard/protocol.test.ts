import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parsePersistedState, parseWebviewMessage, sanitizeChoices } from '../../../webview/protocol';

describe('parseWebviewMessage', () => {
  test('accepts every well-formed message type', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'generate' }), { type: 'generate' });
    assert.deepEqual(parseWebviewMessage({ type: 'buildAndRun' }), { type: 'buildAndRun' });
    assert.deepEqual(parseWebviewMessage({ type: 'redetect' }), { type: 'redetect' });
    assert.deepEqual(parseWebviewMessage({ type: 'openDiff', path: 'Dockerfile' }), { type: 'openDiff', path: 'Dockerfile' });
    assert.deepEqual(parseWebviewMessage({ type: 'openFile', file: 'a.py', line: 3 }), { type: 'openFile', file: 'a.py', line: 3 });
    assert.deepEqual(parseWebviewMessage({ type: 'ready', state: null }), { type: 'ready', state: null });
  });

  test('drops malformed messages instead of throwing', () => {
    for (const raw of [null, 42, 'generate', [], {}, { type: 'nope' }, { type: 'openDiff' }, { type: 'openFile', file: 3 }, { type: 'choose', choices: 'x' }]) {
      assert.equal(parseWebviewMessage(raw), null, JSON.stringify(raw));
    }
  });

  test('a line that is not a positive integer becomes null', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'openFile', file: 'a.py', line: -1 }), { type: 'openFile', file: 'a.py', line: null });
    assert.deepEqual(parseWebviewMessage({ type: 'openFile', file: 'a.py', line: 1.5 }), { type: 'openFile', file: 'a.py', line: null });
  });
});

describe('sanitizeChoices', () => {
  test('keeps typed fields and drops the rest', () => {
    assert.deepEqual(sanitizeChoices({ target: 'gpu', port: '80', evil: true, outputs: { dockerfile: false }, cuda: null }), {
      target: 'gpu',
      outputs: { dockerfile: false },
      cuda: null,
    });
    assert.deepEqual(sanitizeChoices({ target: 'tpu', outputs: { rootkit: true } }), {});
  });

  test('runtime: one of the known names, anything else is dropped', () => {
    for (const r of ['python', 'tfserving', 'torchserve', 'triton', 'kserve']) assert.deepEqual(sanitizeChoices({ runtime: r }), { runtime: r });
    for (const r of ['bentoml', 'Triton', '', 3, null, ['triton'], { toString: () => 'triton' }]) assert.deepEqual(sanitizeChoices({ runtime: r }), {}, String(r));
    assert.deepEqual(parseWebviewMessage({ type: 'choose', choices: { runtime: 'triton', port: 1 } }), { type: 'choose', choices: { runtime: 'triton', port: 1 } });
  });
});

describe('parsePersistedState', () => {
  const choices = { target: 'cpu', cuda: null, outputs: { dockerfile: true }, port: 8080, imageName: 'x', gpuCount: 2, weightsInImage: false, overwrite: false };

  test('restores a complete state, filling missing outputs with false', () => {
    const s = parsePersistedState({ v: 1, folder: 'file:///p', choices, open: ['Dockerfile', 3] });
    assert.ok(s?.choices);
    assert.deepEqual(s.choices.outputs, { dockerfile: true, dockerignore: false, compose: false, kubernetes: false, kserve: false });
    assert.equal(s.choices.gpuCount, 2);
    assert.deepEqual(s.open, ['Dockerfile']);
  });

  test('state saved before runtimes existed restores as the Python server; a saved runtime is kept', () => {
    assert.equal(parsePersistedState({ v: 1, folder: 'file:///p', choices })?.choices?.runtime, 'python');
    assert.equal(parsePersistedState({ v: 1, folder: 'file:///p', choices: { ...choices, runtime: 'torchserve' } })?.choices?.runtime, 'torchserve');
    assert.equal(parsePersistedState({ v: 1, folder: 'file:///p', choices: { ...choices, runtime: 'evil' } })?.choices?.runtime, 'python');
  });

  test('an unknown version or a bad folder is no state; incomplete choices are dropped', () => {
    assert.equal(parsePersistedState({ v: 2, folder: 'file:///p' }), null);
    assert.equal(parsePersistedState({ v: 1 }), null);
    assert.equal(parsePersistedState({ v: 1, folder: 'file:///p', choices: { target: 'cpu' } })?.choices, null);
  });
});
