// A real Prometheus (Debian's `prometheus` package) for the monitoring tests: started on
// 127.0.0.1 with a generated config and a temporary storage folder, queried over its HTTP API.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { pickFreePort } from '../../../src/docker/runPlan';
import { pollFor } from '../helpers/poll';

export const PROMETHEUS = process.env.MODELDOCK_PROMETHEUS ?? '/usr/bin/prometheus';
export const PROMTOOL = process.env.MODELDOCK_PROMTOOL ?? '/usr/bin/promtool';

/** True when prometheus and promtool are installed; else throws, or false with MODELDOCK_ALLOW_SKIP=1. */
export function ensurePrometheus(): boolean {
  if (existsSync(PROMETHEUS) && existsSync(PROMTOOL)) return true;
  if (process.env.MODELDOCK_ALLOW_SKIP !== '1') {
    throw new Error(`${PROMETHEUS} or ${PROMTOOL} is missing: apt-get install -y prometheus (npm test installs it as root), or opt out with MODELDOCK_ALLOW_SKIP=1`);
  }
  return false;
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface RunningPrometheus {
  url: string;
  /** Instant query; `at` in Unix seconds. */
  query(expr: string, at?: number): Promise<Sample[]>;
  /** A range-vector selector evaluated at `at`: every raw sample in the window. */
  raw(selector: string, window: string, at?: number): Promise<RangeSeries[]>;
  /** Active alerts (pending or firing) of the loaded rules. */
  alerts(): Promise<{ labels: Record<string, string>; state: string }[]>;
  log(): string;
  stop(): Promise<void>;
}

async function api<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  assert.equal(body.status, 'success', `${url}: ${body.error ?? res.status}`);
  return body.data;
}

/**
 * Starts Prometheus with `scrapeConfigs` (and `rules`, a rule-file object: { groups }), scraping and
 * evaluating every `intervalSeconds`, and waits until it is ready.
 */
export async function startPrometheus(scrapeConfigs: unknown[], rules: unknown | null, intervalSeconds = 1): Promise<RunningPrometheus> {
  const dir = mkdtempSync(path.join(tmpdir(), 'md-prometheus-'));
  const config = {
    global: { scrape_interval: `${intervalSeconds}s`, evaluation_interval: `${intervalSeconds}s`, scrape_timeout: `${intervalSeconds}s` },
    ...(rules ? { rule_files: ['rules.yaml'] } : {}),
    scrape_configs: scrapeConfigs,
  };
  writeFileSync(path.join(dir, 'prometheus.yml'), stringify(config));
  if (rules) writeFileSync(path.join(dir, 'rules.yaml'), stringify(rules));
  const port = await pickFreePort(29090);
  let out = '';
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await pollFor(
      () => `Prometheus to be ready on ${url}; log:\n${out}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${out}`);
        return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2000) })).ok;
      },
      30_000,
      100,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const at = (t?: number) => (t === undefined ? '' : `&time=${t}`);
  return {
    url,
    query: async (expr, t) => (await api<{ resultType: string; result: Sample[] }>(`${url}/api/v1/query?query=${encodeURIComponent(expr)}${at(t)}`)).result,
    raw: async (selector, window, t) => {
      const data = await api<{ resultType: string; result: RangeSeries[] }>(`${url}/api/v1/query?query=${encodeURIComponent(`${selector}[${window}]`)}${at(t)}`);
      assert.equal(data.resultType, 'matrix');
      return data.result;
    },
    alerts: async () => (await api<{ alerts: { labels: Record<string, string>; state: string }[] }>(`${url}/api/v1/alerts`)).alerts,
    log: () => out,
    stop,
  };
}
