// Runs generated Python servers as real processes on the host's python3 (the unit tier has it:
// it is one of npm test's prerequisites): the planned files written to a temporary folder, the
// server started on a free port, plain HTTP requests, and its /metrics parsed by ModelDock's own
// Prometheus parser.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parsePrometheusText, type Scrape } from '../../../src/core/metrics/prometheus';
import { pickFreePort } from '../../../src/docker/runPlan';
import type { ScaffoldPlan } from '../../../src/core/scaffold/index';
import { pollFor } from '../../shared/poll';

export const PYTHON = process.env.MODELDOCK_TEST_PYTHON ?? 'python3';

/** Writes the plan's files (not the manifests) into a fresh temporary folder. */
export function writePlan(plan: ScaffoldPlan, extra: Record<string, string> = {}): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'md-monitoring-'));
  for (const f of plan.files) {
    const abs = path.join(dir, ...f.path.split('/'));
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, f.content);
  }
  for (const [rel, content] of Object.entries(extra)) {
    const abs = path.join(dir, ...rel.split('/'));
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface PyProcess {
  port: number;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `python3 args…` in `dir` with PORT set, and waits until `readyPath` answers. */
export async function startPython(dir: string, args: string[], env: Record<string, string> = {}, readyPath = '/healthz'): Promise<PyProcess> {
  const port = await pickFreePort(20000 + Math.floor(Math.random() * 20000));
  let out = '';
  const child: ChildProcess = spawn(PYTHON, args, { cwd: dir, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await pollFor(
      () => `${args.join(' ')} to answer on ${port}; output:\n${out}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${out}`);
        return (await request(port, 'GET', readyPath)).status > 0;
      },
      20_000,
      50,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, output: () => out, stop };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function request(port: number, method: string, urlPath: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: urlPath, method, agent: false, timeout: 10_000, headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

export async function scrape(port: number, urlPath = '/metrics'): Promise<{ scrape: Scrape; text: string; contentType: string }> {
  const res = await request(port, 'GET', urlPath);
  assert.equal(res.status, 200, `GET ${urlPath}: ${res.status} ${res.body}`);
  const scrapeResult = parsePrometheusText(res.body);
  assert.equal(scrapeResult.skipped, 0, `lines the parser could not read in:\n${res.body}`);
  return { scrape: scrapeResult, text: res.body, contentType: String(res.headers['content-type'] ?? '') };
}

/** The value of the one sample named `name` whose labels include `labels`; fails when there is not exactly one. */
export function sampleValue(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  const hits = s.samples.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  assert.equal(hits.length, 1, `${name}${JSON.stringify(labels)}: ${hits.length} samples (${JSON.stringify(s.samples.filter((x) => x.name === name))})`);
  return hits[0]!.value;
}
