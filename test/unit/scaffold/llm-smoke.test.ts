// The Deploy loop's smoke test for LLM servers: the request built from a plan, and the judge of
// answers. The answers below are the shapes vLLM, TGI and llama.cpp's server return (OpenAI
// chat.completion / text_completion objects and their error bodies).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeLlmSmoke, llmSmokeRequest, planScaffold } from '../../../src/core/scaffold/index';
import type { DetectionResult } from '../../../src/core/detect/types';
import type { ScaffoldPlan } from '../../../src/core/scaffold/types';
import { detection } from './fixtures';

function llmProject(kind: 'huggingface' | 'gguf'): DetectionResult {
  const path = kind === 'gguf' ? 'm.Q4_K_M.gguf' : 'models/qwen';
  return {
    ...detection({ artifacts: [{ file: path, format: kind, bytes: 1e9 }] }),
    llm: { models: [{ kind, path, architectures: kind === 'gguf' ? [] : ['Qwen2ForCausalLM'], modelType: null, quantization: null, bytes: 1e9, evidence: [] }], runtimes: [], code: [], hubModels: [] },
  };
}

function planFor(runtime: 'vllm' | 'tgi' | 'llamacpp', chatTemplate: boolean | null): ScaffoldPlan {
  const d = llmProject(runtime === 'llamacpp' ? 'gguf' : 'huggingface');
  const path = d.llm!.models[0]!.path;
  return planScaffold(d, { runtime, target: 'gpu', llm: { read: { path, facts: null, problem: null, chatTemplate } } });
}

const CHAT_OK = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', model: 'qwen', choices: [{ index: 0, message: { role: 'assistant', content: 'Ready.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 14, completion_tokens: 2, total_tokens: 16 } });

describe('LLM smoke request', () => {
  test('vLLM: a chat completion to the served name on the server port, a plain completion as fallback', () => {
    const p = planFor('vllm', true);
    const r = llmSmokeRequest(p)!;
    assert.equal(r.method, 'POST');
    assert.equal(r.path, '/v1/chat/completions');
    assert.equal(r.port, 8000);
    const body = JSON.parse(r.body) as { model: string; messages: { role: string; content: string }[]; max_tokens: number; temperature: number };
    assert.equal(body.model, 'qwen');
    assert.equal(body.messages[0]!.role, 'user');
    assert.ok(body.max_tokens <= 32 && body.temperature === 0, 'short and deterministic');
    assert.equal(r.fallback?.path, '/v1/completions');
    assert.equal(r.answerField, 'choices[0].message.content');
  });

  test('a model without a chat template gets the plain completion directly', () => {
    const r = llmSmokeRequest(planFor('vllm', false))!;
    assert.equal(r.path, '/v1/completions');
    assert.equal(r.fallback, null);
    assert.equal(r.answerField, 'choices[0].text');
  });

  test('TGI answers to the name "tgi" on 8080; llama.cpp to its alias; KServe under /openai on 8080', () => {
    const tgi = llmSmokeRequest(planFor('tgi', true))!;
    assert.equal((JSON.parse(tgi.body) as { model: string }).model, 'tgi');
    assert.equal(tgi.port, 8080);
    const cpp = llmSmokeRequest(planFor('llamacpp', true))!;
    assert.equal((JSON.parse(cpp.body) as { model: string }).model, 'm.q4_k_m');
    const ks = llmSmokeRequest(planFor('vllm', true), { kserve: true })!;
    assert.equal(ks.path, '/openai/v1/chat/completions');
    assert.equal(ks.port, 8080);
  });

  test('null for runtimes that are not LLM servers', () => {
    assert.equal(llmSmokeRequest(planScaffold(detection({ frameworks: [{ name: 'scikit-learn', version: '1.4.2' }] }), {})), null);
  });
});

describe('judging the answer', () => {
  const req = llmSmokeRequest(planFor('vllm', null))!;

  test('200 with generated text passes and quotes it', () => {
    const v = judgeLlmSmoke(req, 200, CHAT_OK);
    assert.equal(v.ok, true);
    assert.equal(v.text, 'Ready.');
    assert.match(v.reason, /"Ready\."/);
  });

  test('empty text, a non-JSON 200 and an answer without choices fail', () => {
    assert.equal(judgeLlmSmoke(req, 200, CHAT_OK.replace('Ready.', '  ')).ok, false);
    assert.match(judgeLlmSmoke(req, 200, '<html>proxy</html>').reason, /not with JSON/);
    assert.match(judgeLlmSmoke(req, 200, '{"object":"list","data":[]}').reason, /no choices\[0\]/);
  });

  test('400 about the chat template asks for the fallback; the fallback reads choices[0].text', () => {
    // vLLM's answer for a base model since transformers 4.44 removed default chat templates.
    const body = JSON.stringify({ object: 'error', message: 'As of transformers v4.44, default chat template is no longer allowed, so you must provide a chat template if the tokenizer does not define one.', type: 'BadRequestError', code: 400 });
    const v = judgeLlmSmoke(req, 400, body);
    assert.equal(v.ok, false);
    assert.equal(v.useFallback, true);
    const fb = req.fallback!;
    const ok = judgeLlmSmoke(fb, 200, JSON.stringify({ object: 'text_completion', choices: [{ index: 0, text: ' Paris.', finish_reason: 'length' }] }));
    assert.deepEqual([ok.ok, ok.text], [true, 'Paris.']);
  });

  test('404 for a wrong model name, 503 while loading, anything else with its message', () => {
    assert.match(judgeLlmSmoke(req, 404, JSON.stringify({ object: 'error', message: 'The model `x` does not exist.', type: 'NotFoundError', code: 404 })).reason, /does not know the model name/);
    // llama.cpp's server while the model loads.
    assert.match(judgeLlmSmoke(req, 503, JSON.stringify({ error: { code: 503, message: 'Loading model', type: 'unavailable_error' } })).reason, /not ready yet \(503\): Loading model/);
    assert.match(judgeLlmSmoke(req, 500, JSON.stringify({ error: 'CUDA out of memory' })).reason, /HTTP 500: CUDA out of memory/);
  });
});
