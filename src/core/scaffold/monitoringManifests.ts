// `scaffold --monitoring prometheus`: a ServiceMonitor and a PrometheusRule for the Prometheus
// Operator, a Grafana dashboard (as a ConfigMap for Grafana's dashboard sidecar, and as a plain
// JSON file), and prometheus.io/* scrape annotations for clusters without the operator.
// The CRD objects go to k8s/monitoring/, so `kubectl apply -f k8s/` still works on a cluster
// without the operator's CRDs.
import { printable } from '../safePath';
import { renderTemplate, type FileSet } from './common';
import { grafanaDashboard } from './monitoringDashboard';
import { flavourQueries, promString } from './monitoringQueries';
import type { PlanInputs } from './inputs';
import type { ScaffoldMetrics } from './types';

export const MONITORING_DIR = 'k8s/monitoring';
export const DASHBOARD_FILE = 'monitoring/grafana-dashboard.json';

export const DEFAULT_MONITORING = { p95Seconds: 1, errorRatio: 0.05 } as const;

export interface MonitoringInput {
  /** The Deployment, Service and container name (the ServiceMonitor's job label is the Service name). */
  name: string;
  endpoint: ScaffoldMetrics | null;
  /** The probes' route, left out of latency and error ratio. */
  healthPath: string | null;
  gpu: boolean;
  serving: boolean;
}

export interface Alert {
  alert: string;
  expr: string;
  /** Prometheus duration, or null: fires at once. */
  forDuration: string | null;
  severity: 'warning' | 'critical';
  summary: string;
  description: string;
}

// Kubernetes label syntax (the apimachinery rules; bounded, no nested quantifiers).
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/;
const RESERVED = new Set(['app.kubernetes.io/name', 'app.kubernetes.io/managed-by']);

function labelKeyOk(key: string): boolean {
  const slash = key.indexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0 && !DNS_SUBDOMAIN.test(key.slice(0, slash))) return false;
  return name !== '' && LABEL_VALUE.test(name);
}

function wanted(p: PlanInputs): boolean {
  return p.choices.monitoring === 'prometheus';
}

/** prometheus.io/* annotations on the pod template (read by the common kubernetes-pods scrape job), or none. */
export function monitoringAnnotations(p: PlanInputs, endpoint: ScaffoldMetrics | null): { key: string; value: string }[] | undefined {
  if (!wanted(p) || !endpoint) return undefined;
  return [
    { key: 'prometheus.io/scrape', value: 'true' },
    { key: 'prometheus.io/port', value: String(endpoint.port) },
    { key: 'prometheus.io/path', value: endpoint.path },
  ];
}

function seconds(v: number): string {
  if (Number.isInteger(v)) return `${v}s`;
  return v >= 0.001 ? `${Number((v * 1000).toPrecision(6))}ms` : `${Number((v * 1e6).toPrecision(6))}µs`;
}

/** The alerts of a model server; every expression uses the runtime's own metric names. */
export function modelAlerts(input: MonitoringInput & { endpoint: ScaffoldMetrics }, thresholds: { p95Seconds: number; errorRatio: number }): Alert[] {
  const { name } = input;
  const q = flavourQueries(input.endpoint.flavour, input.healthPath);
  const sel = `job=${promString(name)}`;
  const latency = q.latency.quantile ? 'p95 latency' : 'mean latency';
  const alerts: Alert[] = [
    {
      alert: 'ModelServerDown',
      expr: `up{${sel}} == 0`,
      forDuration: '5m',
      severity: 'critical',
      summary: `${name}: Prometheus cannot scrape the model server`,
      description: `The metrics endpoint of {{ $labels.instance }} (job ${name}) has not answered for 5 minutes: the pod is down, not ready, or its ${input.endpoint.path} fails.`,
    },
    {
      alert: 'ModelHighLatency',
      expr: `${q.latency.expr(sel, '5m', 0.95)} > ${thresholds.p95Seconds}`,
      forDuration: '10m',
      severity: 'warning',
      summary: `${name}: ${latency} above ${seconds(thresholds.p95Seconds)}`,
      description: `The ${latency} of ${name} has been {{ $value | humanizeDuration }} for 10 minutes (threshold ${seconds(thresholds.p95Seconds)}). Scale out, or check the model and its inputs.`,
    },
    {
      alert: 'ModelHighErrorRatio',
      expr: `${q.errorRatio(sel, '5m')} > ${thresholds.errorRatio}`,
      forDuration: '10m',
      severity: 'warning',
      summary: `${name}: more than ${(thresholds.errorRatio * 100).toFixed(1)}% of requests fail`,
      description: `{{ $value | humanizePercentage }} of the requests to ${name} failed over 10 minutes. The server's logs say why.`,
    },
    {
      // kube-state-metrics' metric: the container keeps the name of the Deployment.
      alert: 'ModelPodRestarting',
      expr: `increase(kube_pod_container_status_restarts_total{container=${promString(name)}}[15m]) > 2`,
      forDuration: null,
      severity: 'warning',
      summary: `${name}: a pod restarts repeatedly`,
      description: `{{ $labels.namespace }}/{{ $labels.pod }} restarted {{ $value | humanize }} times in 15 minutes (needs kube-state-metrics). Out of memory (OOMKilled) and failing liveness probes are the usual causes: kubectl describe pod.`,
    },
  ];
  if (input.gpu) {
    const ratio = q.gpuMemoryRatio
      ? q.gpuMemoryRatio(sel)
      : // No GPU metrics of its own (TF Serving): NVIDIA's DCGM exporter, by pod.
        `DCGM_FI_DEV_FB_USED{pod=~${promString(`${name}-.*`)}} / (DCGM_FI_DEV_FB_USED{pod=~${promString(`${name}-.*`)}} + DCGM_FI_DEV_FB_FREE{pod=~${promString(`${name}-.*`)}})`;
    alerts.push({
      alert: 'ModelGpuMemoryNearFull',
      expr: `${ratio} > 0.95`,
      forDuration: '10m',
      severity: 'warning',
      summary: `${name}: GPU memory above 95%`,
      description: `A GPU of ${name} ({{ $labels.pod }}) has been {{ $value | humanizePercentage }} full for 10 minutes: the next larger batch or input may fail with out-of-memory.${q.gpuMemoryRatio ? '' : ' (From NVIDIA\'s DCGM exporter: TF Serving does not export GPU memory.)'}`,
    });
  }
  return alerts;
}

function thresholdsOf(p: PlanInputs): { p95Seconds: number; errorRatio: number } {
  const o = p.choices.monitoringOptions ?? {};
  const p95 = o.p95Seconds ?? DEFAULT_MONITORING.p95Seconds;
  const err = o.errorRatio ?? DEFAULT_MONITORING.errorRatio;
  if (!(Number.isFinite(p95) && p95 > 0 && p95 <= 3600)) p.errors.push(`the p95 latency threshold ${p95} must be a number of seconds in (0, 3600]`);
  if (!(Number.isFinite(err) && err > 0 && err < 1)) p.errors.push(`the error ratio threshold ${err} must be between 0 and 1 (0.05 = 5%)`);
  return { p95Seconds: p95, errorRatio: err };
}

function labelsOf(p: PlanInputs): { key: string; value: string }[] {
  const out: { key: string; value: string }[] = [];
  for (const [key, value] of Object.entries(p.choices.monitoringOptions?.labels ?? {})) {
    if (!labelKeyOk(key)) p.errors.push(`monitoring label key '${printable(key)}' is not a valid Kubernetes label key`);
    else if (RESERVED.has(key)) p.errors.push(`monitoring label ${key} is set by ModelDock itself`);
    else if (!LABEL_VALUE.test(value)) p.errors.push(`monitoring label value '${printable(value)}' for ${key} is not a valid Kubernetes label value`);
    else out.push({ key, value });
  }
  return out;
}

/**
 * Adds the monitoring files of `--monitoring prometheus` to `files` (nothing otherwise). Needs the
 * Kubernetes manifests (the ServiceMonitor selects their Service) and a server with metrics.
 */
export function addMonitoring(p: PlanInputs, files: FileSet, input: MonitoringInput): void {
  if (!wanted(p)) return;
  const endpoint = input.endpoint;
  if (!input.serving || !endpoint) {
    p.notes.push('Monitoring: skipped, the container serves no metrics (no server, or --metrics none).');
    return;
  }
  if (!p.outputs.kubernetes) {
    p.notes.push('Monitoring: skipped, the ServiceMonitor selects the Service of the Kubernetes manifests, which are not generated.');
    return;
  }
  const thresholds = thresholdsOf(p);
  const labels = labelsOf(p);
  const t = p.templates;
  files.add(
    `${MONITORING_DIR}/servicemonitor.yaml`,
    renderTemplate(t, 'monitoring/servicemonitor.yaml.tmpl', { name: input.name, labels, portName: endpoint.portName, path: endpoint.path }),
  );
  files.add(
    `${MONITORING_DIR}/prometheusrule.yaml`,
    renderTemplate(t, 'monitoring/prometheusrule.yaml.tmpl', {
      name: input.name,
      labels,
      alerts: modelAlerts({ ...input, endpoint }, thresholds).map((a) => ({ ...a })),
    }),
  );
  const dashboard = JSON.stringify(grafanaDashboard(input.name, endpoint.flavour, input.healthPath, input.gpu), null, 2);
  files.add(
    `${MONITORING_DIR}/grafana-dashboard.yaml`,
    renderTemplate(t, 'monitoring/grafana-dashboard.yaml.tmpl', { name: input.name, fileName: `${input.name}.json`, dashboard }),
  );
  files.add(DASHBOARD_FILE, `${dashboard}\n`);
  const hasLabels = labels.length > 0;
  p.notes.push(
    `Monitoring: ${MONITORING_DIR}/ holds a ServiceMonitor (port ${endpoint.portName}, ${endpoint.path}), a PrometheusRule (down, latency, errors, restarts${input.gpu ? ', GPU memory' : ''}) and the Grafana dashboard as a ConfigMap labelled grafana_dashboard=1 (also ${DASHBOARD_FILE}); apply them with kubectl apply -f ${MONITORING_DIR}/ where the Prometheus Operator's CRDs are installed. The pods carry prometheus.io/* scrape annotations for clusters without the operator.` +
      (hasLabels ? '' : ' kube-prometheus-stack only picks up ServiceMonitors and rules labelled release=<its release name>: add --monitoring-label release=<name>.'),
  );
}
