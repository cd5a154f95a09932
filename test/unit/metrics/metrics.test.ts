// The Prometheus text parser and the figures the Model Metrics view shows, on exposition texts
// in the shapes the real servers produce (ModelDock's generated server, Triton, TF Serving, vLLM).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buckets, histogramQuantile, parsePrometheusText, sum } from '../../../src/core/metrics/prometheus';
import { MODELDOCK_METRICS, figures, flavourOf, formatSeconds, sparkline } from '../../../src/core/metrics/figures';

function modeldockText(ok: number, errors: number, buckets: [string, number][], inFlight = 0): string {
  return [
    '# HELP modeldock_requests_total Requests by route and status.',
    '# TYPE modeldock_requests_total counter',
    `modeldock_requests_total{route="/predict",method="POST",status="200"} ${ok}`,
    `modeldock_requests_total{route="/predict",method="POST",status="500"} ${errors}`,
    `modeldock_requests_total{route="/healthz",method="GET",status="200"} 3`,
    '# TYPE modeldock_request_duration_seconds histogram',
    ...buckets.map(([le, n]) => `modeldock_request_duration_seconds_bucket{route="/predict",le="${le}"} ${n}`),
    `modeldock_request_duration_seconds_sum{route="/predict"} 1.5`,
    `modeldock_request_duration_seconds_count{route="/predict"} ${buckets[buckets.length - 1]![1]}`,
    `modeldock_requests_in_flight ${inFlight}`,
    'modeldock_model_info{framework="scikit-learn",version="1.2.1",image="iris:0.1.0"} 1',
    '',
  ].join('\n');
}

describe('parsePrometheusText', () => {
  test('samples, labels with escapes, types, special values, timestamps; bad lines are skipped', () => {
    const s = parsePrometheusText(
      [
        '# TYPE a counter',
        'a{x="1",y="q\\"uote\\\\ \\n"} 5 1700000000000',
        'b +Inf',
        'c NaN',
        'd{} -3.5e2',
        '{broken} 1',
        'e{x="unterminated} 1',
        'f notanumber',
        '',
      ].join('\r\n'),
    );
    assert.equal(s.types.get('a'), 'counter');
    assert.deepEqual(s.samples[0], { name: 'a', labels: { x: '1', y: 'q"uote\\ \n' }, value: 5 });
    assert.equal(s.samples[1]!.value, Infinity);
    assert.ok(Number.isNaN(s.samples[2]!.value));
    assert.equal(s.samples[3]!.value, -350);
    assert.equal(s.skipped, 3);
  });

  test('linear on hostile input: a 2 MB line of braces and quotes parses quickly', () => {
    const hostile = `x{${'a="\\"'.repeat(200_000)}} 1\n` + '{'.repeat(2_000_000);
    const t0 = performance.now();
    const s = parsePrometheusText(hostile);
    assert.ok(performance.now() - t0 < 1000, 'under 1 s');
    assert.equal(s.samples.length, 0);
  });
});

describe('histogramQuantile', () => {
  test('interpolates within the bucket like PromQL', () => {
    const before = new Map<number, number>();
    // 100 observations: 50 under 0.1 s, 40 in (0.1, 0.5], 10 in (0.5, 1].
    const after = new Map<number, number>([
      [0.1, 50],
      [0.5, 90],
      [1, 100],
      [Infinity, 100],
    ]);
    assert.equal(histogramQuantile(0.5, before, after), 0.1);
    // rank 95 lies in (0.5, 1]: 0.5 + 0.5 * (95 - 90) / 10 = 0.75
    assert.ok(Math.abs(histogramQuantile(0.95, before, after)! - 0.75) < 1e-12);
    assert.equal(histogramQuantile(0.5, after, after), null, 'no new observations');
  });
  test('observations in the +Inf bucket report the highest finite bound', () => {
    const after = new Map<number, number>([
      [1, 0],
      [Infinity, 10],
    ]);
    assert.equal(histogramQuantile(0.99, new Map(), after), 1);
  });
});

describe('figures', () => {
  test('ModelDock server: rate, error ratio, p50/p95 between two scrapes', () => {
    const a = parsePrometheusText(modeldockText(100, 0, [['0.01', 50], ['0.1', 100], ['+Inf', 100]]));
    // 10 s later: +190 OK and +10 errors on /predict; 100 more observations, 20 of them over 0.1 s.
    const b = parsePrometheusText(modeldockText(290, 10, [['0.01', 110], ['0.1', 180], ['+Inf', 200]], 2));
    assert.equal(flavourOf(b), 'modeldock');
    const f = figures(a, b, 10);
    assert.equal(f.requestRate, (190 + 10) / 10);
    assert.equal(f.errorRatio, 10 / 200);
    // 100 new observations: 60 ≤ 0.01, 20 in (0.01, 0.1], 20 over 0.1. p50 = 0.01 * 50/60.
    assert.ok(Math.abs(f.p50! - (0.01 * 50) / 60) < 1e-12);
    assert.equal(f.p95, 0.1, 'p95 falls in +Inf: the highest finite bound');
    assert.equal(f.inFlight, 2);
    assert.equal(f.gpuMemoryUsedBytes, null, 'no GPU: absent, not an error');
  });

  test('the first scrape alone has no rates; a counter reset counts from zero', () => {
    const b = parsePrometheusText(modeldockText(10, 0, [['0.1', 10], ['+Inf', 10]]));
    assert.equal(figures(null, b, 0).requestRate, null);
    const before = parsePrometheusText(modeldockText(1000, 0, [['0.1', 1000], ['+Inf', 1000]]));
    assert.equal(figures(before, b, 5).requestRate, 13 / 5, 'restart: 10 + 3 healthz since the restart');
  });

  test('Triton, TF Serving and vLLM names map to the same figures', () => {
    const t = (ok: number, fail: number, us: number) =>
      parsePrometheusText(
        `nv_inference_request_success{model="m",version="1"} ${ok}\nnv_inference_request_failure{model="m",version="1"} ${fail}\nnv_inference_request_duration_us{model="m",version="1"} ${us}\nnv_gpu_memory_used_bytes{gpu_uuid="GPU-1"} 2e9\nnv_gpu_memory_total_bytes{gpu_uuid="GPU-1"} 8e9\n`,
      );
    const tf = figures(t(10, 0, 1e6), t(30, 5, 3.5e6), 5);
    assert.equal(tf.requestRate, 5);
    assert.equal(tf.errorRatio, 0.2);
    assert.equal(tf.p50, 2.5e6 / 25 / 1e6);
    assert.equal(tf.gpuMemoryTotalBytes, 8e9);

    const tfs = (n: number) => parsePrometheusText(`:tensorflow:serving:request_count{model_name="m",status="OK"} ${n}\n:tensorflow:serving:request_latency_bucket{model_name="m",API="predict",entrypoint="REST",le="1000"} ${n}\n:tensorflow:serving:request_latency_bucket{model_name="m",API="predict",entrypoint="REST",le="+Inf"} ${n}\n`);
    assert.equal(flavourOf(tfs(1)), 'tfserving');
    const tff = figures(tfs(10), tfs(20), 2);
    assert.equal(tff.requestRate, 5);
    assert.ok(tff.p50! > 0 && tff.p50! <= 1e-3, 'microseconds scaled to seconds');

    const v = parsePrometheusText('vllm:num_requests_waiting{model_name="m"} 7\nvllm:num_requests_running{model_name="m"} 3\n');
    assert.equal(flavourOf(v), 'vllm');
    assert.equal(figures(null, v, 0).queued, 7);
  });

  test('sums and buckets across label sets; unknown servers give nothing', () => {
    const s = parsePrometheusText(modeldockText(1, 1, [['1', 2], ['+Inf', 2]]));
    assert.equal(sum(s, MODELDOCK_METRICS.requests, { route: '/predict' }), 2);
    assert.equal(buckets(s, MODELDOCK_METRICS.latency).get(Infinity), 2);
    assert.deepEqual(Object.values(figures(null, parsePrometheusText('up 1\n'), 1)).filter((v) => v !== null), []);
  });
});

describe('presentation', () => {
  test('sparklines and durations', () => {
    assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), '▁▂▃▄▅▆▇█');
    assert.equal(sparkline([1, null, 1]), '▁ ▁');
    assert.equal(sparkline([]), '');
    assert.equal(formatSeconds(0.0042), '4.20 ms');
    assert.equal(formatSeconds(0.25), '250.0 ms');
    assert.equal(formatSeconds(null), '–');
  });
});
