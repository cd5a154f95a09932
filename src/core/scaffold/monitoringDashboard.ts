// The Grafana dashboard of a served model, as plain data (written with JSON.stringify: nothing
// from the workspace can change its structure). Queries come from monitoringQueries.ts, so the
// dashboard uses exactly the metric names the runtime exports.
import { flavourQueries, type Flavour } from './monitoringQueries';

interface Target {
  expr: string;
  legendFormat: string;
}

interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  targets: Target[];
  /** Half (12) or full (24) width. */
  width: 12 | 24;
  kind?: 'timeseries' | 'stat';
}

export interface GrafanaDashboard {
  uid: string;
  title: string;
  [key: string]: unknown;
}

const DS = { type: 'prometheus', uid: '${datasource}' };
const SEL = 'job="$job"';
const W = '$__rate_interval';

/** Grafana's uid: at most 40 characters. */
export function dashboardUid(name: string): string {
  return `modeldock-${name}`.slice(0, 40).replace(/-+$/, '');
}

function panels(flavour: Flavour, healthPath: string | null, gpu: boolean): PanelSpec[] {
  const q = flavourQueries(flavour, healthPath);
  const out: PanelSpec[] = [];
  out.push({
    title: 'Requests per second',
    description: flavour === 'modeldock' ? 'Answers per second by route and status code.' : 'Inference requests per second.',
    unit: 'reqps',
    width: 12,
    targets: [
      flavour === 'modeldock'
        ? { expr: q.requestRate(SEL, W, 'route, status'), legendFormat: '{{route}} {{status}}' }
        : { expr: q.requestRate(SEL, W), legendFormat: 'requests' },
    ],
  });
  out.push({
    title: 'Error ratio',
    description: 'Failed answers (5xx, or the runtime\'s failures) out of all answers.',
    unit: 'percentunit',
    width: 12,
    targets: [{ expr: q.errorRatio(SEL, W), legendFormat: 'errors' }],
  });
  out.push({
    title: q.latency.quantile ? 'Latency p50 / p95 / p99' : 'Mean latency',
    description: q.latency.quantile
      ? `Quantiles of the time to answer${flavour === 'modeldock' && healthPath ? ` (without the probes' ${healthPath})` : ''}.`
      : 'This runtime exports the total request time, not a histogram: the mean time to answer.',
    unit: 's',
    width: 12,
    targets: q.latency.quantile
      ? [0.5, 0.95, 0.99].map((x) => ({ expr: q.latency.expr(SEL, W, x), legendFormat: `p${Math.round(x * 100)}` }))
      : [{ expr: q.latency.expr(SEL, W, 0.5), legendFormat: 'mean' }],
  });
  if (q.inFlight) out.push({ title: 'In flight', description: 'Requests being handled now.', unit: 'short', width: 12, targets: [{ expr: q.inFlight(SEL), legendFormat: 'in flight' }] });
  if (gpu && q.gpuMemoryUsed) {
    const targets: Target[] = [{ expr: q.gpuMemoryUsed(SEL), legendFormat: `used {{pod}} GPU {{${q.gpuLabel}}}` }];
    if (q.gpuMemoryTotal) targets.push({ expr: q.gpuMemoryTotal(SEL), legendFormat: `total {{pod}} GPU {{${q.gpuLabel}}}` });
    out.push({ title: 'GPU memory', description: 'GPU memory in use and in total, per GPU.', unit: 'bytes', width: 12, targets });
  }
  if (gpu && q.gpuUtilization) out.push({ title: 'GPU utilisation', description: 'Share of time the GPU was busy.', unit: 'percentunit', width: 12, targets: [{ expr: q.gpuUtilization(SEL), legendFormat: `{{pod}} GPU {{${q.gpuLabel}}}` }] });
  if (q.modelLoad) out.push({ title: 'Model load time', description: 'Seconds the model took to load at the last start.', unit: 's', width: 12, kind: 'stat', targets: [{ expr: q.modelLoad(SEL), legendFormat: 'load' }] });
  if (flavour === 'modeldock') {
    out.push({
      title: 'Served model',
      description: 'Framework, its version and the image, per pod.',
      unit: 'short',
      width: 12,
      kind: 'stat',
      targets: [{ expr: `count by (framework, version, image) (${q.infoMetric}{${SEL}})`, legendFormat: '{{framework}} {{version}} · {{image}}' }],
    });
  }
  return out;
}

/**
 * The dashboard for one model server. `name` is the Service (the scrape job of the
 * ServiceMonitor): it is the default of the `job` variable, which lists every job exporting the
 * runtime's metrics.
 */
export function grafanaDashboard(name: string, flavour: Flavour, healthPath: string | null, gpu: boolean): GrafanaDashboard {
  const q = flavourQueries(flavour, healthPath);
  let y = 0;
  let x = 0;
  const list = panels(flavour, healthPath, gpu).map((p, i) => {
    if (x + p.width > 24) {
      x = 0;
      y += 8;
    }
    const gridPos = { h: 8, w: p.width, x, y };
    x += p.width;
    const kind = p.kind ?? 'timeseries';
    return {
      id: i + 1,
      type: kind,
      title: p.title,
      description: p.description,
      datasource: DS,
      gridPos,
      fieldConfig: { defaults: { unit: p.unit, ...(kind === 'timeseries' ? { custom: { lineWidth: 1, fillOpacity: 10, showPoints: 'never' } } : {}) }, overrides: [] },
      options:
        kind === 'stat'
          ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, textMode: p.title === 'Served model' ? 'name' : 'value', colorMode: 'none' }
          : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'none' } },
      targets: p.targets.map((t, j) => ({ datasource: DS, expr: t.expr, legendFormat: t.legendFormat, refId: String.fromCharCode(65 + j), range: true })),
    };
  });
  const jobQuery = `label_values(${q.infoMetric}, job)`;
  return {
    uid: dashboardUid(name),
    title: `ModelDock · ${name}`,
    description: `Requests, errors, latency${gpu ? ' and GPU' : ''} of the model server ${name} (generated by ModelDock).`,
    tags: ['modeldock', 'model-serving'],
    editable: true,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-1h', to: 'now' },
    timezone: 'browser',
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
        {
          name: 'job',
          label: 'Job',
          type: 'query',
          datasource: DS,
          definition: jobQuery,
          query: { query: jobQuery, refId: 'job' },
          current: { selected: true, text: name, value: name },
          refresh: 2,
          sort: 1,
          hide: 0,
        },
      ],
    },
    annotations: { list: [] },
    panels: list,
  };
}

/** Every PromQL expression of a dashboard (panels and query variables), for checks. */
export function dashboardQueries(d: GrafanaDashboard): string[] {
  const out: string[] = [];
  for (const p of (d.panels as { targets?: { expr?: string }[] }[] | undefined) ?? []) for (const t of p.targets ?? []) if (typeof t.expr === 'string') out.push(t.expr);
  const vars = ((d.templating as { list?: { query?: unknown }[] } | undefined)?.list ?? []).flatMap((v) => (typeof v.query === 'object' && v.query && typeof (v.query as { query?: unknown }).query === 'string' ? [(v.query as { query: string }).query] : []));
  return [...out, ...vars];
}
