// Metrics in the generated servers: where each runtime serves Prometheus metrics, and what the
// Python runtime adds for them (modeldock_metrics.py, the wrapper of a project's own app, the
// prometheus_client install). Pure: plans files and Dockerfile lines as data.
import { PIP_NAME } from './project';
import { dfComment, dfCopy, dfExec, pbtxtString, pipRequirementWord, pyString } from './escape';
import { posixBasename, posixDirname, renderTemplate } from './common';
import type { PlanInputs } from './inputs';
import type { MetricsExporter, ScaffoldMetrics, ServingRuntime } from './types';

/** prometheus_client, pinned (the test wheelhouse holds the same version); it needs Python 3.9+. */
export const PROMETHEUS_CLIENT = { name: 'prometheus-client', version: '0.26.0', minPython: 9 } as const;

export const DEFAULT_METRICS_EXPORTER: MetricsExporter = 'prometheus-client';

/** Files the Python runtime generates for its metrics. */
export const METRICS_MODULE = 'modeldock_metrics.py';
export const APP_WRAPPER = 'modeldock_app.py';
const WRAPPER_MODULE = 'modeldock_app';

/** TF Serving's monitoring config: in the build context, and where the image reads it. */
export const TFSERVING_MONITORING_CONFIG = 'tfserving/monitoring.config';
export const TFSERVING_MONITORING_PATH = '/monitoring/prometheus/metrics';
export const TFSERVING_MONITORING_IN_IMAGE = '/etc/tfserving/monitoring.config';

/**
 * Where a runtime serves its metrics: the container port (by the name the Service and the
 * ServiceMonitor use) and the path. TF Serving needs its monitoring config (generated), TorchServe
 * metrics_mode=prometheus (generated), Triton serves 8002 by default.
 */
export function metricsEndpoint(runtime: ServingRuntime, port: number): ScaffoldMetrics | null {
  switch (runtime) {
    case 'python':
      return { portName: 'http', port, path: '/metrics', flavour: 'modeldock' };
    case 'tfserving':
      return { portName: 'http', port: 8501, path: TFSERVING_MONITORING_PATH, flavour: 'tfserving' };
    case 'torchserve':
      return { portName: 'metrics', port: 8082, path: '/metrics', flavour: 'torchserve' };
    case 'triton':
      return { portName: 'metrics', port: 8002, path: '/metrics', flavour: 'triton' };
    case 'kserve':
      return null;
    case 'vllm':
    case 'sglang':
    case 'tgi':
    case 'llamacpp':
      // LLM servers serve their own metrics; their plan (llm.ts) says where (routes.metrics).
      return null;
  }
}

export function metricsExporter(p: PlanInputs): MetricsExporter {
  return p.choices.metrics ?? DEFAULT_METRICS_EXPORTER;
}

export interface PythonMetricsPlan {
  /** Flavour of the metrics (the Model Metrics view and the dashboards use it), or null without metrics. */
  endpoint: ScaffoldMetrics | null;
  /** Generated files (modeldock_metrics.py, modeldock_app.py), written next to the Dockerfile. */
  files: { path: string; content: string }[];
  /** The command that serves the project's own app through the wrapper, or null (unchanged). */
  cmd: string[] | null;
  cmdComment: string | null;
  /** Dockerfile context `metrics` (comment + optional install step), or null. */
  dockerfile: { comment: string; run: string | null } | null;
  env: { name: string; value: string; comment: string }[];
  /** Whether the generated serve.py serves /metrics. */
  serve: boolean;
  /** Files the Dockerfile copies (kept out of .dockerignore). */
  mustKeep: string[];
}

const NONE: PythonMetricsPlan = { endpoint: null, files: [], cmd: null, cmdComment: null, dockerfile: null, env: [], serve: false, mustKeep: [] };

interface EntryLike {
  cmd: string[];
  serving: boolean;
  createServe: boolean;
}

/** The wrapped command, by replacing the app reference of the command entryFor built. */
function wrappedCommand(kind: 'flask' | 'fastapi', cmd: readonly string[], file: string): { cmd: string[]; chdir: boolean } | null {
  const dir = posixDirname(file);
  const ref = `${posixBasename(file).replace(/\.py$/, '')}:app`;
  const out = [...cmd];
  const drop = (flag: string): boolean => {
    const i = out.indexOf(flag);
    if (i < 0) return false;
    out.splice(i, 2);
    return true;
  };
  if (kind === 'fastapi' && out[0] === 'uvicorn') {
    // The wrapper puts the app's folder on sys.path itself.
    drop('--app-dir');
    const i = out.indexOf(ref);
    if (i < 0) return null;
    out[i] = `${WRAPPER_MODULE}:app`;
    return { cmd: out, chdir: false };
  }
  if (kind === 'flask' && out[0] === 'gunicorn') {
    const chdir = drop('--chdir') && dir !== '';
    const i = out.indexOf(ref);
    if (i < 0) return null;
    out[i] = `${WRAPPER_MODULE}:app`;
    return { cmd: out, chdir };
  }
  if (kind === 'flask' && out[0] === 'flask') {
    const i = out.indexOf('--app');
    if (i < 0 || out[i + 1] !== file) return null;
    out[i + 1] = WRAPPER_MODULE;
    return { cmd: out, chdir: false };
  }
  return null;
}

function pythonMinorOf(version: string): number {
  const m = /^3\.(\d+)/.exec(version);
  return m ? Number(m[1]) : 11;
}

/**
 * What the Python runtime adds for GET /metrics: the metrics module for the generated serve.py,
 * and for a project's own Flask/FastAPI app a wrapper module the CMD serves instead (WSGI/ASGI
 * middleware around the app object; the project's code is not edited).
 */
export function planPythonMetrics(p: PlanInputs, entry: EntryLike): PythonMetricsPlan {
  let exporter = metricsExporter(p);
  if (exporter === 'none') {
    if (entry.serving) p.notes.push('Metrics: none requested (--metrics none): the server has no /metrics endpoint.');
    return NONE;
  }
  if (!entry.serving) return NONE;
  const e = p.detection.entrypoint;
  let wrapped: ReturnType<typeof wrappedCommand> = null;
  let kind: 'flask' | 'fastapi' | null = null;
  if (!entry.createServe) {
    if (e && (e.kind === 'flask' || e.kind === 'fastapi')) {
      kind = e.kind;
      wrapped = wrappedCommand(e.kind, entry.cmd, e.file);
    }
    if (!wrapped) {
      p.notes.push(
        e && (e.kind === 'streamlit' || e.kind === 'gradio')
          ? `Metrics: a ${e.kind} app is not a WSGI/ASGI app ModelDock can wrap, so it has no /metrics endpoint; Prometheus can still scrape the container's CPU and memory through cAdvisor.`
          : 'Metrics: this command cannot be wrapped, so the server has no /metrics endpoint.',
      );
      return NONE;
    }
  }
  if (exporter === 'prometheus-client' && pythonMinorOf(p.facts.python) < PROMETHEUS_CLIENT.minPython) {
    p.notes.push(`Metrics: prometheus_client ${PROMETHEUS_CLIENT.version} needs Python 3.${PROMETHEUS_CLIENT.minPython}+ and the image has Python ${p.facts.python}: using the standard-library exporter.`);
    exporter = 'stdlib';
  }
  const declared = p.detection.packages.some((x) => x.name === PROMETHEUS_CLIENT.name || x.name === 'prometheus_client');
  const primary = p.facts.primary;
  const files: PythonMetricsPlan['files'] = [];
  const exporterLine =
    exporter === 'stdlib'
      ? 'the standard-library exporter below (chosen with --metrics stdlib: no extra dependency).'
      : `prometheus_client (installed by the Dockerfile${declared ? ' with the project\'s own requirements' : ''}); the standard-library exporter below when it is missing.`;
  files.push({
    path: METRICS_MODULE,
    content: renderTemplate(p.templates, 'python/modeldock_metrics.py.tmpl', {
      exporterLine,
      frameworkPy: pyString(primary ?? 'python'),
      frameworkDistPy: pyString(primary ? PIP_NAME[primary] : ''),
    }),
  });
  let cmdComment: string | null = null;
  if (wrapped && kind && e) {
    const dir = posixDirname(e.file);
    files.push({
      path: APP_WRAPPER,
      content: renderTemplate(p.templates, 'python/modeldock_app.py.tmpl', {
        kindLabel: kind === 'flask' ? 'Flask' : 'FastAPI',
        sourceFile: e.file,
        module: posixBasename(e.file).replace(/\.py$/, ''),
        attr: 'app',
        wrapperKind: kind === 'flask' ? 'WSGI' : 'ASGI',
        appDirPy: pyString(dir),
        chdir: wrapped.chdir,
        modulePy: pyString(posixBasename(e.file).replace(/\.py$/, '')),
        attrPy: pyString('app'),
        flask: kind === 'flask',
        fastapi: kind === 'fastapi',
      }),
    });
    cmdComment = `${APP_WRAPPER} imports app from ${e.file} unchanged and adds GET /metrics (${kind === 'flask' ? 'WSGI' : 'ASGI'} middleware).`;
    p.notes.push(`Metrics: the CMD serves ${APP_WRAPPER}, which wraps the app object of ${e.file} in ${kind === 'flask' ? 'WSGI' : 'ASGI'} middleware for GET /metrics; your code is not changed. A /metrics route of your own is shadowed.`);
  }
  const pin = `${PROMETHEUS_CLIENT.name}==${PROMETHEUS_CLIENT.version}`;
  const dockerfile =
    exporter === 'stdlib'
      ? { comment: dfComment(`Metrics: GET /metrics comes from ${METRICS_MODULE}'s standard-library exporter (no extra dependency; --metrics prometheus-client uses prometheus_client).`), run: null }
      : declared
        ? { comment: dfComment(`Metrics: GET /metrics comes from ${METRICS_MODULE} through prometheus_client, which the project's requirements install.`), run: null }
        : {
            comment: dfComment(`Metrics: GET /metrics comes from ${METRICS_MODULE} through prometheus_client, the standard Prometheus library (--metrics stdlib: no extra dependency).`),
            run: `python3 -m pip install --no-cache-dir ${pipRequirementWord('the metrics library', pin)}`,
          };
  return {
    endpoint: metricsEndpoint('python', p.port),
    files,
    cmd: wrapped?.cmd ?? null,
    cmdComment,
    dockerfile,
    env: [{ name: 'MODELDOCK_IMAGE', value: `${p.image}:${p.tag}`, comment: `The image ${METRICS_MODULE} reports in modeldock_model_info.` }],
    serve: entry.createServe,
    mustKeep: files.map((f) => f.path),
  };
}

/**
 * The metrics endpoint of a model-server runtime. `--metrics none` turns off what ModelDock
 * configures (TF Serving's monitoring config, TorchServe's prometheus mode); Triton serves its
 * metrics on 8002 regardless.
 */
export function runtimeMetrics(p: PlanInputs, runtime: 'tfserving' | 'torchserve' | 'triton'): ScaffoldMetrics | null {
  if (metricsExporter(p) === 'none' && runtime !== 'triton') return null;
  return metricsEndpoint(runtime, p.port);
}

/** TF Serving exposes Prometheus metrics only with a monitoring config file (--monitoring_config_file). */
export function tfservingMonitoring(p: PlanInputs): { file: string; content: string; dockerfile: { copy: string; cmdJson: string } } | null {
  if (runtimeMetrics(p, 'tfserving') === null) return null;
  return {
    file: TFSERVING_MONITORING_CONFIG,
    content: renderTemplate(p.templates, 'tfserving/monitoring.config.tmpl', { pathPb: pbtxtString(TFSERVING_MONITORING_PATH) }),
    dockerfile: {
      copy: dfCopy('the monitoring config path', [TFSERVING_MONITORING_CONFIG], TFSERVING_MONITORING_IN_IMAGE),
      cmdJson: dfExec('the command', [`--monitoring_config_file=${TFSERVING_MONITORING_IN_IMAGE}`]),
    },
  };
}
