// The smoke test: a port-forward to a Ready pod of the Deployment, then the model request (the
// project's sample, or one built from the model's metadata) and its answer. VS Code-free; the
// port-forward stays open afterwards for the user's own requests until the session ends.
import { promises as fs, realpathSync } from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { inferRuntime, planSmokeRequest, requestFromMetadata, SAMPLE_FILES, summarizeAnswer, type RuntimeGuess, type SampleFile, type SmokeAnswer, type SmokeRequest } from '../../core/deploy/smoke';
import type { ClusterClient, PodInfo, PortForwardHandle } from '../../kube/types';

export interface SmokeResult {
  readonly ok: boolean;
  readonly pod: string;
  readonly container: string;
  readonly runtime: RuntimeGuess;
  readonly localPort?: number;
  readonly request?: SmokeRequest;
  readonly answer?: SmokeAnswer;
  /** One line: the answer, or why there is none. */
  readonly summary: string;
  readonly at: number;
}

export interface SmokeTarget {
  readonly namespace: string;
  readonly deployment: string;
  /** Where the sample request is looked for. */
  readonly projectDir?: string;
  /** Prefer the container running this image (the pushed digest). */
  readonly image?: string;
  /** The app's own POST inference route (from detection), for a Python server. */
  readonly predictRoute?: string;
}

const MAX_ANSWER = 1024 * 1024;

/** The project's sample request: the first of SAMPLE_FILES that is a regular file inside the project. */
export async function findSample(projectDir: string): Promise<SampleFile | undefined> {
  const root = realpathSync(projectDir);
  for (const rel of SAMPLE_FILES) {
    const abs = path.join(root, rel);
    const real = await fs.realpath(abs).catch(() => undefined);
    if (!real) continue;
    const r = path.relative(root, real);
    // A symlink out of the project is not the project's sample.
    if (r.startsWith('..') || path.isAbsolute(r)) continue;
    const st = await fs.stat(real);
    if (!st.isFile() || st.size > 1024 * 1024) continue;
    return { file: rel, text: await fs.readFile(real, 'utf8') };
  }
  return undefined;
}

export function httpCall(port: number, req: { method: string; path: string; body?: string }, timeoutMs = 30_000): Promise<SmokeAnswer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: '127.0.0.1', port, path: req.path, method: req.method, timeout: timeoutMs, headers: req.body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(req.body) } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_ANSWER) chunks.push(c);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            ms: performance.now() - started,
            ...(typeof res.headers['content-type'] === 'string' ? { contentType: res.headers['content-type'] } : {}),
            body: Buffer.concat(chunks).toString('utf8') + (size > MAX_ANSWER ? '\n… (answer cut at 1 MiB)' : ''),
          }),
        );
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    r.on('error', reject);
    r.end(req.body);
  });
}

function readyPod(pods: readonly PodInfo[], image: string | undefined): PodInfo | undefined {
  const ready = pods.filter((p) => p.phase === 'Running' && p.containers.length > 0 && p.readyCount === p.containers.length && p.status !== 'Terminating');
  return (image ? ready.find((p) => p.containers.some((c) => c.image === image)) : undefined) ?? ready[0];
}

/** Port-forward + request. Returns the handle too: the caller keeps or closes the forward. */
export async function runSmokeTest(client: ClusterClient, target: SmokeTarget): Promise<{ result: SmokeResult; forward?: PortForwardHandle }> {
  const deps = await client.list('Deployment', target.namespace, { fieldSelector: `metadata.name=${target.deployment}` });
  const dep = deps[0];
  if (!dep) throw new Error(`Deployment ${target.namespace}/${target.deployment} not found`);
  const selector = dep.rollout?.selector;
  let pods = await client.list('Pod', target.namespace, selector ? { labelSelector: selector } : {});
  if (!selector) {
    // A matchExpressions selector: the pods of the ReplicaSets this Deployment owns.
    const sets = new Set((await client.list('ReplicaSet', target.namespace)).filter((r) => r.meta.ownerUid === dep.meta.uid).map((r) => r.meta.name));
    pods = pods.filter((p) => p.meta.ownerName !== undefined && sets.has(p.meta.ownerName));
  }
  const pod = readyPod(pods, target.image);
  if (!pod) throw new Error(`No Ready pod of ${target.deployment} to send the request to.`);
  const container = (target.image ? pod.containers.find((c) => c.image === target.image) : undefined) ?? pod.containers.find((c) => c.ports.length > 0) ?? pod.containers[0]!;
  const guess = inferRuntime({ name: container.name, image: container.image, ports: container.ports, env: container.env, ...(container.readinessPath ? { readinessPath: container.readinessPath } : {}) });
  const sample = target.projectDir ? await findSample(target.projectDir) : undefined;
  const at = Date.now();
  const base = { pod: pod.meta.name, container: container.name, runtime: guess, at };
  const planned = planSmokeRequest(guess, sample, target.deployment, target.predictRoute);
  if ('problem' in planned) return { result: { ...base, ok: false, summary: planned.problem } };

  const forward = await client.portForward({ kind: 'Pod', namespace: target.namespace, name: pod.meta.name, port: guess.port });
  try {
    let request: SmokeRequest = planned;
    let answer = await httpCall(forward.localPort, request);
    if (request.source === 'metadata' && answer.status >= 200 && answer.status < 300) {
      let metadata: unknown;
      try {
        metadata = JSON.parse(answer.body);
      } catch {
        metadata = undefined;
      }
      const model = guess.modelName ?? target.deployment;
      const built = requestFromMetadata(guess, model, metadata);
      if (built) {
        request = { ...built, ...(planned.note ? { note: `${built.note ?? ''}; ${planned.note}` } : {}) };
        answer = await httpCall(forward.localPort, request);
      }
    }
    const ok = answer.status >= 200 && answer.status < 300;
    return {
      result: { ...base, ok, localPort: forward.localPort, request, answer, summary: `${request.method} ${request.path} → ${summarizeAnswer(answer)}` },
      forward,
    };
  } catch (err) {
    return {
      result: { ...base, ok: false, localPort: forward.localPort, request: planned, summary: `${planned.method} ${planned.path} through 127.0.0.1:${forward.localPort} failed: ${err instanceof Error ? err.message : String(err)}` },
      forward,
    };
  }
}
