// The Deploy loop's smoke test for an LLM server: one OpenAI-style chat completion through the
// port-forward, and how to read the answer. Pure: the caller sends the request and hands the
// status and body back to judgeLlmSmoke.
import type { ScaffoldPlan } from './types';

export interface LlmSmokeRequest {
  method: 'POST';
  /** Route on the server (KServe's Hugging Face runtime prefixes /openai). */
  path: string;
  /** Container port to forward to. */
  port: number;
  headers: Readonly<Record<string, string>>;
  /** JSON text. */
  body: string;
  /** Where the generated text is in a 200 answer. */
  answerField: 'choices[0].message.content' | 'choices[0].text';
  /** Generous: the first request after startup may compile kernels. */
  timeoutSeconds: number;
  /**
   * A plain completion to send when the chat request is refused for want of a chat template
   * (base models have none); null when this already is the plain completion.
   */
  fallback: LlmSmokeRequest | null;
  /** Said next to the result. */
  note: string;
}

export interface LlmSmokeVerdict {
  ok: boolean;
  /** One sentence for the user. */
  reason: string;
  /** The generated text (trimmed, at most 200 characters) when there is one. */
  text?: string;
  /** The chat request was refused for want of a chat template: send `fallback`. */
  useFallback?: boolean;
}

const PROMPT = 'Reply with one word: ready.';

/**
 * The smoke request for a plan made for an LLM runtime (null for other runtimes). `kserve`: the
 * InferenceService generated with KServe's Hugging Face runtime is what was deployed.
 */
export function llmSmokeRequest(plan: ScaffoldPlan, opts: { kserve?: boolean } = {}): LlmSmokeRequest | null {
  const l = plan.llm;
  if (!l) return null;
  // KServe's Hugging Face runtime (vLLM inside) listens on 8080 and serves the OpenAI API under /openai.
  const viaKserve = opts.kserve === true && l.runtime !== 'llamacpp';
  const prefix = viaKserve ? '/openai' : '';
  const port = viaKserve ? 8080 : l.port;
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  const completion: LlmSmokeRequest = {
    method: 'POST',
    path: `${prefix}${l.routes.completions}`,
    port,
    headers,
    body: JSON.stringify({ model: l.model.servedName, prompt: 'The capital of France is', max_tokens: 8, temperature: 0 }),
    answerField: 'choices[0].text',
    timeoutSeconds: 120,
    fallback: null,
    note: `a plain completion from ${l.model.servedName} (the model has no chat template)`,
  };
  if (l.model.chatTemplate === false) return completion;
  return {
    method: 'POST',
    path: `${prefix}${l.routes.chat}`,
    port,
    headers,
    body: JSON.stringify({ model: l.model.servedName, messages: [{ role: 'user', content: PROMPT }], max_tokens: 16, temperature: 0 }),
    answerField: 'choices[0].message.content',
    timeoutSeconds: 120,
    fallback: completion,
    note: `a chat completion from ${l.model.servedName} through ${l.runtimeName}${viaKserve ? " (KServe's Hugging Face runtime)" : ''}`,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function errorText(body: unknown, raw: string): string {
  if (isRecord(body)) {
    const e = body.error;
    if (typeof e === 'string') return e;
    if (isRecord(e) && typeof e.message === 'string') return e.message;
    if (typeof body.message === 'string') return body.message;
    if (typeof body.detail === 'string') return body.detail;
  }
  return raw.slice(0, 300);
}

function clip(s: string, max = 200): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** Reads the server's answer to `req`: 200 with non-empty generated text is a pass. */
export function judgeLlmSmoke(req: LlmSmokeRequest, status: number, bodyText: string): LlmSmokeVerdict {
  let body: unknown = null;
  try {
    body = JSON.parse(bodyText);
  } catch {
    body = null;
  }
  if (status === 200) {
    if (!isRecord(body)) return { ok: false, reason: `the server answered 200 but not with JSON: ${clip(bodyText, 120)}` };
    const choices = body.choices;
    const first = Array.isArray(choices) ? (choices[0] as unknown) : undefined;
    if (!isRecord(first)) return { ok: false, reason: 'the answer has no choices[0]: not an OpenAI-style completion' };
    const text = req.answerField === 'choices[0].text' ? first.text : isRecord(first.message) ? first.message.content : undefined;
    if (typeof text !== 'string' || text.trim() === '') return { ok: false, reason: `${req.answerField} is empty: the model generated nothing` };
    return { ok: true, reason: `${req.note}: "${clip(text, 80)}"`, text: clip(text) };
  }
  const msg = errorText(body, bodyText);
  if (status === 400 && req.fallback && /chat[ _]template/i.test(msg)) {
    return { ok: false, reason: 'the model has no chat template (a base model): trying a plain completion', useFallback: true };
  }
  if (status === 404 && /model/i.test(msg)) return { ok: false, reason: `the server does not know the model name sent: ${clip(msg, 160)}` };
  if (status === 503) return { ok: false, reason: `the server is not ready yet (503): ${clip(msg, 160)}` };
  return { ok: false, reason: `HTTP ${status}: ${clip(msg, 200)}` };
}
