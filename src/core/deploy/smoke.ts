// The smoke test after a rollout: which request the deployed model server should answer, from
// the container as deployed (its readiness probe, ports and env tell the serving runtime apart)
// and the project's sample request when it has one. Runtimes' routes:
//   python (ModelDock's serve.py, Flask/FastAPI apps)  POST /predict
//   TF Serving REST                                     POST /v1/models/<name>:predict
//   Triton / KServe V2 (Open Inference Protocol)        POST /v2/models/<name>/infer
//   TorchServe                                          POST /predictions/<name>
// Without a sample, V2 and TF Serving requests are built from the model's own metadata (zeros
// of the declared shapes); the Python server gets a placeholder, and the result says so.

export type SmokeRuntime = 'python' | 'tfserving' | 'v2' | 'torchserve';

export interface SmokeContainer {
  readonly name: string;
  readonly image: string;
  readonly ports: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly readinessPath?: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface RuntimeGuess {
  readonly runtime: SmokeRuntime;
  /** TF Serving/V2/TorchServe model name when the spec says it. */
  readonly modelName?: string;
  /** The container port the request goes to. */
  readonly port: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

function httpPort(c: SmokeContainer, fallback: number): number {
  return (c.ports.find((p) => p.name === 'http') ?? c.ports[0])?.containerPort ?? fallback;
}

/** The serving runtime of a deployed container, from how ModelDock (and the runtimes' docs) configure it. */
export function inferRuntime(c: SmokeContainer): RuntimeGuess {
  const probe = c.readinessPath ?? '';
  const image = c.image.toLowerCase();
  const tfModel = /^\/v1\/models\/([^/:]+)/.exec(probe)?.[1] ?? c.env.MODEL_NAME;
  if (probe.startsWith('/v1/models/') || image.includes('tensorflow/serving') || (c.env.MODEL_NAME && c.ports.some((p) => p.containerPort === 8501))) {
    const modelName = tfModel && NAME.test(tfModel) ? tfModel : undefined;
    return { runtime: 'tfserving', port: c.ports.find((p) => p.containerPort === 8501)?.containerPort ?? httpPort(c, 8501), ...(modelName ? { modelName } : {}) };
  }
  if (probe.startsWith('/v2/') || image.includes('tritonserver') || image.includes('kserve')) {
    return { runtime: 'v2', port: c.ports.find((p) => p.containerPort === 8000)?.containerPort ?? httpPort(c, 8000) };
  }
  if (probe === '/ping' || image.includes('torchserve')) {
    return { runtime: 'torchserve', port: c.ports.find((p) => p.containerPort === 8080)?.containerPort ?? httpPort(c, 8080) };
  }
  return { runtime: 'python', port: httpPort(c, 8080) };
}

export interface SmokeRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: string;
  /** Where the body came from. */
  readonly source: 'project' | 'metadata' | 'placeholder' | 'none';
  readonly sourceFile?: string;
  /** Said next to the answer (a placeholder body, a guessed model name). */
  readonly note?: string;
}

/** A route the served app declares (detection's routes of the entrypoint). */
export interface AppRoute {
  readonly path: string;
  readonly methods: readonly string[];
}

const PREDICT_NAMES = ['predict', 'predictions', 'invocations', 'infer'];

/**
 * The app's own inference route, when it declares one (Flask/FastAPI `POST /v1/predict`, say):
 * a POST route whose last segment names inference, the most specific name first, then the
 * shortest path. Paths with parameters or odd characters are not guessed at.
 */
export function appPredictRoute(routes: readonly AppRoute[]): string | undefined {
  let best: { path: string; rank: number } | undefined;
  for (const r of routes) {
    if (!r.methods.includes('POST') || !/^\/[A-Za-z0-9_./-]{0,200}$/.test(r.path)) continue;
    const rank = PREDICT_NAMES.indexOf(r.path.slice(r.path.lastIndexOf('/') + 1));
    if (rank < 0) continue;
    if (!best || rank < best.rank || (rank === best.rank && r.path.length < best.path.length)) best = { path: r.path, rank };
  }
  return best?.path;
}

/** Sample request files, looked up in this order in the project folder. */
export const SAMPLE_FILES: readonly string[] = ['.modeldock/sample-request.json', 'sample_request.json', 'sample-request.json'];

export interface SampleFile {
  readonly file: string;
  readonly text: string;
}

/** A sample that is JSON, re-serialized (so what is sent is exactly one JSON value); else why not. */
export function readSample(sample: SampleFile): { body: string } | { problem: string } {
  if (sample.text.length > 1024 * 1024) return { problem: `${sample.file} is larger than 1 MiB` };
  try {
    return { body: JSON.stringify(JSON.parse(sample.text)) };
  } catch (err) {
    return { problem: `${sample.file} is not valid JSON (${err instanceof Error ? err.message.slice(0, 120) : 'parse error'})` };
  }
}

/**
 * The request to send: the project's sample to the runtime's route, or (no sample) the first step
 * of building one: V2 and TF Serving metadata requests (see requestFromMetadata), a placeholder
 * for a Python server.
 */
export function planSmokeRequest(guess: RuntimeGuess, sample: SampleFile | undefined, fallbackModelName: string, appRoute?: string): SmokeRequest | { problem: string } {
  const model = guess.modelName ?? fallbackModelName;
  const modelNote = guess.modelName ? undefined : `model name "${model}" assumed (the deployment's name)`;
  const route = (): string => {
    switch (guess.runtime) {
      case 'tfserving':
        return `/v1/models/${encodeURIComponent(model)}:predict`;
      case 'v2':
        return `/v2/models/${encodeURIComponent(model)}/infer`;
      case 'torchserve':
        return `/predictions/${encodeURIComponent(model)}`;
      case 'python':
        return appRoute ?? '/predict';
    }
  };
  if (sample) {
    const read = readSample(sample);
    if ('problem' in read) return read;
    return { method: 'POST', path: route(), body: read.body, source: 'project', sourceFile: sample.file, ...(guess.runtime !== 'python' && modelNote ? { note: modelNote } : {}) };
  }
  switch (guess.runtime) {
    case 'v2':
      return { method: 'GET', path: `/v2/models/${encodeURIComponent(model)}`, source: 'metadata', ...(modelNote ? { note: modelNote } : {}) };
    case 'tfserving':
      return { method: 'GET', path: `/v1/models/${encodeURIComponent(model)}/metadata`, source: 'metadata', ...(modelNote ? { note: modelNote } : {}) };
    case 'torchserve':
      return { method: 'GET', path: '/ping', source: 'none', note: `no sample request in the project (${SAMPLE_FILES.join(', ')}): checked /ping only; TorchServe inputs depend on the handler` };
    case 'python':
      return {
        method: 'POST',
        path: route(),
        body: JSON.stringify({ inputs: [[0]] }),
        source: 'placeholder',
        note: `no sample request in the project (${SAMPLE_FILES.join(', ')}): sent a placeholder; the answer shows the server is up, not that the model is right`,
      };
  }
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : undefined);

function dims(shape: unknown): number[] | undefined {
  if (!Array.isArray(shape) || shape.length > 8) return undefined;
  const out: number[] = [];
  for (const d of shape) {
    const n = typeof d === 'number' ? d : typeof d === 'string' ? Number(d) : NaN;
    if (!Number.isInteger(n)) return undefined;
    // A dynamic dimension (-1) becomes 1: one example.
    out.push(n < 0 ? 1 : n);
  }
  return out;
}

const MAX_ELEMENTS = 1 << 20;
const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function zeros(shape: readonly number[]): unknown {
  if (shape.length === 0) return 0;
  const [first, ...rest] = shape;
  return Array.from({ length: first! }, () => zeros(rest));
}

/**
 * The inference request built from the model's metadata (GET answered by the server): zeros of
 * every declared input's shape. Undefined when the metadata does not say enough (or the input is
 * larger than a million elements, which a smoke test should not send).
 */
export function requestFromMetadata(guess: RuntimeGuess, model: string, metadata: unknown): SmokeRequest | undefined {
  const m = rec(metadata);
  if (!m) return undefined;
  if (guess.runtime === 'v2') {
    const inputs: Rec[] = [];
    for (const i of Array.isArray(m.inputs) ? m.inputs.slice(0, 32) : []) {
      const r = rec(i);
      const shape = dims(r?.shape);
      if (!r || typeof r.name !== 'string' || typeof r.datatype !== 'string' || !shape || count(shape) > MAX_ELEMENTS) return undefined;
      const datatype = r.datatype;
      const data = datatype === 'BYTES' ? Array.from({ length: count(shape) }, () => '') : datatype === 'BOOL' ? Array.from({ length: count(shape) }, () => false) : Array.from({ length: count(shape) }, () => 0);
      inputs.push({ name: r.name, shape, datatype, data });
    }
    if (inputs.length === 0) return undefined;
    return { method: 'POST', path: `/v2/models/${encodeURIComponent(model)}/infer`, body: JSON.stringify({ inputs }), source: 'metadata', note: 'built from the model\'s metadata: zeros of each input\'s shape' };
  }
  if (guess.runtime === 'tfserving') {
    // {"metadata": {"signature_def": {"signature_def": {"serving_default": {"inputs": {name: {tensor_shape: {dim: [{size}]}}}}}}}}
    const sig = rec(rec(rec(rec(rec(m.metadata)?.signature_def)?.signature_def)?.serving_default)?.inputs);
    if (!sig) return undefined;
    const entries = Object.entries(sig);
    if (entries.length === 0 || entries.length > 32) return undefined;
    const instance: Rec = {};
    for (const [name, v] of entries) {
      const shape = dims((rec(rec(v)?.tensor_shape)?.dim as unknown[] | undefined)?.map((d) => rec(d)?.size));
      if (!shape || count(shape) > MAX_ELEMENTS) return undefined;
      // The first dimension is the batch: "instances" is a list of examples.
      instance[name] = zeros(shape.slice(1));
    }
    const body = entries.length === 1 ? { instances: [Object.values(instance)[0]] } : { instances: [instance] };
    return { method: 'POST', path: `/v1/models/${encodeURIComponent(model)}:predict`, body: JSON.stringify(body), source: 'metadata', note: 'built from the model\'s signature: zeros of each input\'s shape' };
  }
  return undefined;
}

export interface SmokeAnswer {
  readonly status: number;
  readonly ms: number;
  readonly contentType?: string;
  readonly body: string;
}

/** One line for the view and the notification: status, time, the start of the body. */
export function summarizeAnswer(a: SmokeAnswer): string {
  const body = a.body.replace(/\s+/g, ' ').trim();
  const short = body.length > 160 ? `${body.slice(0, 160)}…` : body;
  return `HTTP ${a.status} in ${a.ms < 1000 ? `${Math.round(a.ms)} ms` : `${(a.ms / 1000).toFixed(1)} s`}${short ? `: ${short}` : ''}`;
}
