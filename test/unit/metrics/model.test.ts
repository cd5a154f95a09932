// The Model Metrics model against a real HTTP server on 127.0.0.1: scrapes, figures between
// scrapes, errors kept per target, the size cap, and no scraping once stopped.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricsModel, httpFetcher } from '../../../src/features/metrics/model';
import { metricsUrl } from '../../../src/core/metrics/targets';
import { pollFor, quietFor } from '../../shared/poll';

let requests = 0;
let served = 0;
const server: Server = createServer((req, res) => {
  served++;
  if (req.url === '/huge') {
    res.writeHead(200);
    res.end('x'.repeat(100_000));
    return;
  }
  if (req.url !== '/metrics') {
    res.writeHead(404);
    res.end();
    return;
  }
  requests += 50;
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
  res.end(`modeldock_requests_total{route="/predict",method="POST",status="200"} ${requests}\nmodeldock_request_duration_seconds_bucket{route="/predict",le="0.05"} ${requests}\nmodeldock_request_duration_seconds_bucket{route="/predict",le="+Inf"} ${requests}\n`);
});
const listening = new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
after(() => server.close());

describe('MetricsModel', () => {
  test('two scrapes give a rate from the counters; a failing target keeps its error', async () => {
    const port = await listening;
    let clock = 1_000;
    const model = new MetricsModel(httpFetcher(2000), () => undefined, 60_000, () => clock);
    model.setTargets([
      { id: 'a', label: 'a', description: '', url: `http://127.0.0.1:${port}/metrics` },
      { id: 'b', label: 'b', description: '', url: `http://127.0.0.1:${port}/missing` },
    ]);
    await model.scrapeAll();
    clock += 10_000;
    await model.scrapeAll();
    const [a, b] = model.targets;
    assert.equal(a!.scrapes, 2);
    assert.equal(a!.history.length, 2);
    assert.equal(a!.history[1]!.requestRate, 50 / 10);
    assert.ok(a!.history[1]!.p50! <= 0.05);
    assert.equal(b!.scrapes, 0);
    assert.match(b!.error ?? '', /HTTP 404/);
    model.dispose();
  });

  test('a server that sends more than the cap is an error, not memory', async () => {
    const port = await listening;
    const fetcher = httpFetcher(2000, 10_000);
    await assert.rejects(fetcher(`http://127.0.0.1:${port}/huge`, new AbortController().signal), /more than 10000 bytes/);
  });

  test('start() scrapes at once and stop() ends scraping', async () => {
    const port = await listening;
    let changes = 0;
    const model = new MetricsModel(httpFetcher(2000), () => changes++, 20);
    model.setTargets([{ id: 'a', label: 'a', description: '', url: `http://127.0.0.1:${port}/metrics` }]);
    model.start();
    assert.ok(model.running);
    await pollFor('three scrapes', async () => model.targets[0]!.scrapes >= 3, 5000, 10);
    model.stop();
    assert.ok(!model.running);
    const after = served;
    await quietFor(100); // five intervals
    assert.equal(served, after, 'no request after stop()');
    assert.ok(changes >= 3);
  });

  test('targets keep their history when re-listed, and lose it when their URL changes', async () => {
    const model = new MetricsModel(async () => 'up 1\n', () => undefined);
    model.setTargets([{ id: 'a', label: 'a', description: '', url: 'http://x/metrics' }]);
    await model.scrapeAll();
    model.setTargets([{ id: 'a', label: 'renamed', description: '', url: 'http://x/metrics' }]);
    assert.equal(model.targets[0]!.scrapes, 1);
    assert.equal(model.targets[0]!.target.label, 'renamed');
    model.setTargets([{ id: 'a', label: 'a', description: '', url: 'http://y/metrics' }]);
    assert.equal(model.targets[0]!.scrapes, 0);
    model.setTargets([]);
    assert.equal(model.targets.length, 0);
  });
});

describe('metricsUrl', () => {
  test('the runtime metrics port when published, else the first published port', () => {
    assert.equal(metricsUrl([{ containerPort: 8080, hostPort: 18080 }]), 'http://127.0.0.1:18080/metrics');
    assert.equal(
      metricsUrl([
        { containerPort: 8000, hostPort: 18000 },
        { containerPort: 8002, hostPort: 18002 },
      ]),
      'http://127.0.0.1:18002/metrics',
    );
    assert.equal(metricsUrl([{ containerPort: 8501, hostPort: 8501, hostIp: '0.0.0.0' }]), 'http://127.0.0.1:8501/monitoring/prometheus/metrics');
    assert.equal(metricsUrl([{ containerPort: 8080, hostPort: undefined }]), undefined);
  });
});
