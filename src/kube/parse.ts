import type {
  ContainerInfo,
  ContainerPort,
  ContainerStateKind,
  DeploymentRollout,
  EventInfo,
  KubeObject,
  NamespaceInfo,
  NodeInfo,
  NodeSelectorRequirement,
  ObjectMeta,
  PodCondition,
  PodInfo,
  ReplicaSetInfo,
  Taint,
  Toleration,
  WorkloadInfo,
  WorkloadKind,
} from './types';

/**
 * Boundary validation: the API (or a proxy, or a CRD-shaped surprise) can send anything, so every
 * field the tree reads is checked here and the rest of ModelDock works with typed, total values.
 * A parse function returns undefined for an object it cannot use; callers skip and log it.
 */

type Rec = Record<string, unknown>;

function rec(v: unknown): Rec | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : undefined;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

export function parseMeta(v: unknown): ObjectMeta | undefined {
  const m = rec(v);
  const name = str(m?.name);
  if (!m || !name) return undefined;
  const labels: Record<string, string> = {};
  for (const [k, val] of Object.entries(rec(m.labels) ?? {})) if (typeof val === 'string') labels[k] = val;
  const owner = arr(m.ownerReferences).map(rec).find((o) => o && o.controller === true) ?? rec(arr(m.ownerReferences)[0]);
  const opt = <K extends keyof ObjectMeta>(key: K, value: ObjectMeta[K] | undefined) => (value === undefined ? {} : { [key]: value });
  return {
    name,
    labels,
    ...opt('namespace', str(m.namespace)),
    ...opt('uid', str(m.uid)),
    ...opt('resourceVersion', str(m.resourceVersion)),
    ...opt('creationTimestamp', str(m.creationTimestamp)),
    ...opt('deletionTimestamp', str(m.deletionTimestamp)),
    ...opt('ownerKind', str(owner?.kind)),
    ...opt('ownerName', str(owner?.name)),
    ...opt('ownerUid', str(owner?.uid)),
  };
}

/** Longest annotation or message text kept: an object's fields are bounded by etcd, not by us. */
const MAX_TEXT = 4096;
const text = (v: unknown): string | undefined => {
  const s = str(v);
  return s === undefined ? undefined : s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
};

/** A map of strings (labels, selectors, resource quantities as the API writes them). */
function strMap(v: unknown, max = 256): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [k, val] of Object.entries(rec(v) ?? {})) {
    if (++n > max) break;
    if (typeof val === 'string') out[k] = val;
    else if (typeof val === 'number' && Number.isFinite(val)) out[k] = String(val);
  }
  return out;
}

function annotation(meta: unknown, key: string): string | undefined {
  return text(rec(rec(meta)?.annotations)?.[key]);
}

function parseConditions(v: unknown): PodCondition[] {
  const out: PodCondition[] = [];
  for (const c of arr(v).map(rec)) {
    const type = str(c?.type);
    const status = str(c?.status);
    if (!c || !type || !status) continue;
    const reason = str(c.reason);
    const message = text(c.message);
    out.push({ type, status, ...(reason ? { reason } : {}), ...(message ? { message } : {}) });
  }
  return out;
}

function parseTolerations(v: unknown): Toleration[] {
  return arr(v)
    .map(rec)
    .filter((t): t is Rec => !!t)
    .map((t) => {
      const o: { key?: string; operator?: string; value?: string; effect?: string } = {};
      for (const k of ['key', 'operator', 'value', 'effect'] as const) {
        const s = str(t[k]);
        if (s !== undefined) o[k] = s;
      }
      return o;
    });
}

function parseTaints(v: unknown): Taint[] {
  const out: Taint[] = [];
  for (const t of arr(v).map(rec)) {
    const key = str(t?.key);
    const effect = str(t?.effect);
    if (!t || !key || !effect) continue;
    const value = str(t.value);
    out.push({ key, effect, ...(value ? { value } : {}) });
  }
  return out;
}

function parseRequirements(v: unknown): NodeSelectorRequirement[] {
  const out: NodeSelectorRequirement[] = [];
  for (const r of arr(v).map(rec)) {
    const key = str(r?.key);
    const operator = str(r?.operator);
    if (!r || !key || !operator) continue;
    const values = arr(r.values).filter((x): x is string => typeof x === 'string');
    out.push({ key, operator, ...(Array.isArray(r.values) ? { values } : {}) });
  }
  return out;
}

/** requiredDuringSchedulingIgnoredDuringExecution: one AND-list per term (fields as expressions). */
function parseRequiredAffinity(affinity: unknown): NodeSelectorRequirement[][] {
  const required = rec(rec(rec(affinity)?.nodeAffinity)?.requiredDuringSchedulingIgnoredDuringExecution);
  return arr(required?.nodeSelectorTerms)
    .map(rec)
    .filter((t): t is Rec => !!t)
    .map((t) => parseRequirements(t.matchExpressions));
}

export function isKubeObject(v: unknown): v is KubeObject {
  const o = rec(v);
  return !!o && typeof o.apiVersion === 'string' && typeof o.kind === 'string' && !!str(rec(o.metadata)?.name);
}

export function parseNamespace(v: unknown): NamespaceInfo | undefined {
  const o = rec(v);
  const meta = parseMeta(o?.metadata);
  if (!o || !meta) return undefined;
  return { kind: 'Namespace', meta, phase: str(rec(o.status)?.phase) ?? 'Active' };
}

/** GPUs as the scheduler counts them: the request, or the limit (which implies an equal request). */
function gpuQuantity(resources: unknown): string | undefined {
  const r = rec(resources);
  const q = rec(r?.requests)?.['nvidia.com/gpu'] ?? rec(r?.limits)?.['nvidia.com/gpu'];
  if (typeof q === 'string' && q !== '' && q !== '0') return q;
  if (typeof q === 'number' && q > 0) return String(q);
  return undefined;
}

function gpuCount(q: string | undefined): number {
  if (!q) return 0;
  const n = Number.parseInt(q, 10);
  return Number.isFinite(n) ? n : 0;
}

function containerState(s: unknown): { state: ContainerStateKind; reason?: string; startedAt?: string; exitCode?: number; message?: string } {
  const st = rec(s);
  if (!st) return { state: 'unknown' };
  const running = rec(st.running);
  if (running) return { state: 'running', ...(str(running.startedAt) ? { startedAt: str(running.startedAt) } : {}) };
  const waiting = rec(st.waiting);
  if (waiting) return { state: 'waiting', ...(str(waiting.reason) ? { reason: str(waiting.reason) } : {}), ...(text(waiting.message) ? { message: text(waiting.message) } : {}) };
  const term = rec(st.terminated);
  if (term) {
    const exitCode = num(term.exitCode);
    return {
      state: 'terminated',
      reason: str(term.reason) ?? (exitCode === 0 ? 'Completed' : 'Error'),
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(text(term.message) ? { message: text(term.message) } : {}),
    };
  }
  return { state: 'unknown' };
}

function plainEnv(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of arr(v).slice(0, 256).map(rec)) {
    const name = str(e?.name);
    const value = text(e?.value);
    if (name && value !== undefined) out[name] = value;
  }
  return out;
}

function parsePorts(v: unknown): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const p of arr(v).map(rec)) {
    const containerPort = num(p?.containerPort);
    if (!p || containerPort === undefined) continue;
    const name = str(p.name);
    out.push({ containerPort, protocol: str(p.protocol) ?? 'TCP', ...(name ? { name } : {}) });
  }
  return out;
}

function parseContainers(specs: unknown, statuses: unknown, init: boolean): ContainerInfo[] {
  const byName = new Map<string, Rec>();
  for (const s of arr(statuses).map(rec)) {
    const n = str(s?.name);
    if (s && n) byName.set(n, s);
  }
  const out: ContainerInfo[] = [];
  for (const spec of arr(specs).map(rec)) {
    const name = str(spec?.name);
    if (!spec || !name) continue;
    const status = byName.get(name);
    const st = containerState(status?.state);
    const last = rec(rec(status?.lastState)?.terminated);
    const lastExit = num(last?.exitCode);
    const gpus = gpuQuantity(spec.resources);
    const resources = rec(spec.resources);
    const readinessPath = str(rec(rec(spec.readinessProbe)?.httpGet)?.path);
    out.push({
      name,
      image: str(spec.image) ?? '',
      init,
      state: st.state,
      ...(st.reason ? { stateReason: st.reason } : {}),
      ...(st.startedAt ? { startedAt: st.startedAt } : {}),
      ready: bool(status?.ready) ?? false,
      restartCount: num(status?.restartCount) ?? 0,
      ...(last
        ? {
            lastTermination: {
              reason: str(last.reason) ?? (lastExit === 0 ? 'Completed' : 'Error'),
              exitCode: lastExit ?? -1,
              ...(str(last.finishedAt) ? { finishedAt: str(last.finishedAt) } : {}),
            },
          }
        : {}),
      ...(gpus ? { gpus } : {}),
      ports: parsePorts(spec.ports),
      requests: strMap(resources?.requests),
      limits: strMap(resources?.limits),
      ...(st.message ? { stateMessage: st.message } : {}),
      ...(st.exitCode !== undefined ? { exitCode: st.exitCode } : {}),
      ...(readinessPath ? { readinessPath } : {}),
      env: plainEnv(spec.env),
    });
  }
  return out;
}

/** kubectl's STATUS column logic, shortened: the most telling container reason wins over the phase. */
function podStatus(phase: string, o: Rec, containers: ContainerInfo[], init: ContainerInfo[]): string {
  const status = rec(o.status);
  if (str(rec(o.metadata)?.deletionTimestamp)) return 'Terminating';
  const reason = str(status?.reason);
  if (reason) return reason; // Evicted, NodeLost…
  for (const c of init) {
    if (c.state === 'terminated' && c.stateReason !== 'Completed') return `Init:${c.stateReason ?? 'Error'}`;
    if (c.state === 'waiting' && c.stateReason && c.stateReason !== 'PodInitializing') return `Init:${c.stateReason}`;
  }
  for (const c of containers) {
    if (c.state === 'waiting' && c.stateReason && c.stateReason !== 'ContainerCreating') return c.stateReason;
    if (c.state === 'terminated' && c.stateReason && phase !== 'Succeeded') return c.stateReason;
  }
  for (const c of containers) if (c.state === 'waiting' && c.stateReason) return c.stateReason;
  return phase;
}

export function parsePod(v: unknown): PodInfo | undefined {
  const o = rec(v);
  const meta = parseMeta(o?.metadata);
  if (!o || !meta) return undefined;
  const spec = rec(o.spec) ?? {};
  const status = rec(o.status) ?? {};
  const containers = parseContainers(spec.containers, status.containerStatuses, false);
  const initContainers = parseContainers(spec.initContainers, status.initContainerStatuses, true);
  const phase = str(status.phase) ?? 'Pending';
  const nodeName = str(spec.nodeName);
  const podIP = str(status.podIP);
  // The scheduler's view: init containers run one at a time, so the pod needs the larger of the two.
  const gpus = Math.max(
    containers.reduce((n, c) => n + gpuCount(c.gpus), 0),
    ...initContainers.map((c) => gpuCount(c.gpus)),
  );
  return {
    kind: 'Pod',
    meta,
    phase,
    status: podStatus(phase, o, containers, initContainers),
    ...(nodeName ? { nodeName } : {}),
    ...(podIP ? { podIP } : {}),
    containers,
    initContainers,
    readyCount: containers.filter((c) => c.ready).length,
    restarts: containers.reduce((n, c) => n + c.restartCount, 0),
    gpus,
    conditions: parseConditions(status.conditions),
    nodeSelector: strMap(spec.nodeSelector),
    tolerations: parseTolerations(spec.tolerations),
    requiredNodeAffinity: parseRequiredAffinity(spec.affinity),
  };
}

/** matchLabels as a selector string; undefined when matchExpressions are used (callers filter by owner then). */
function labelSelector(selector: unknown): string | undefined {
  const s = rec(selector);
  if (!s || arr(s.matchExpressions).length > 0) return undefined;
  const parts = Object.entries(strMap(s.matchLabels)).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(',') : undefined;
}

function templateImages(template: unknown): string[] {
  const spec = rec(rec(template)?.spec);
  return [...arr(spec?.initContainers), ...arr(spec?.containers)].map((c) => str(rec(c)?.image)).filter((i): i is string => !!i);
}

function intOrString(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : str(v);
}

function parseRollout(o: Rec, spec: Rec, status: Rec): DeploymentRollout {
  const meta = rec(o.metadata) ?? {};
  const strategy = rec(spec.strategy);
  const rolling = rec(strategy?.rollingUpdate);
  const revision = annotation(meta, 'deployment.kubernetes.io/revision');
  const changeCause = annotation(meta, 'kubernetes.io/change-cause');
  const selector = labelSelector(spec.selector);
  const deadline = num(spec.progressDeadlineSeconds);
  const historyLimit = num(spec.revisionHistoryLimit);
  const maxSurge = intOrString(rolling?.maxSurge);
  const maxUnavailable = intOrString(rolling?.maxUnavailable);
  return {
    generation: num(meta.generation) ?? 0,
    observedGeneration: num(status.observedGeneration) ?? 0,
    replicas: num(status.replicas) ?? 0,
    paused: bool(spec.paused) ?? false,
    conditions: parseConditions(status.conditions),
    ...(revision ? { revision } : {}),
    ...(changeCause ? { changeCause } : {}),
    ...(selector ? { selector } : {}),
    images: templateImages(spec.template),
    ...(deadline !== undefined ? { progressDeadlineSeconds: deadline } : {}),
    ...(strategy ? { strategy: { type: str(strategy.type) ?? 'RollingUpdate', ...(maxSurge ? { maxSurge } : {}), ...(maxUnavailable ? { maxUnavailable } : {}) } } : {}),
    ...(historyLimit !== undefined ? { revisionHistoryLimit: historyLimit } : {}),
  };
}

export function parseReplicaSet(v: unknown): ReplicaSetInfo | undefined {
  const o = rec(v);
  const meta = parseMeta(o?.metadata);
  if (!o || !meta) return undefined;
  const spec = rec(o.spec) ?? {};
  const status = rec(o.status) ?? {};
  const revision = Number.parseInt(annotation(o.metadata, 'deployment.kubernetes.io/revision') ?? '', 10);
  const changeCause = annotation(o.metadata, 'kubernetes.io/change-cause');
  const hash = meta.labels['pod-template-hash'];
  return {
    kind: 'ReplicaSet',
    meta,
    revision: Number.isFinite(revision) && revision > 0 ? revision : 0,
    ...(changeCause ? { changeCause } : {}),
    images: templateImages(spec.template),
    desired: num(spec.replicas) ?? 1,
    replicas: num(status.replicas) ?? 0,
    ready: num(status.readyReplicas) ?? 0,
    available: num(status.availableReplicas) ?? 0,
    ...(hash ? { templateHash: hash } : {}),
  };
}

export function parseEvent(v: unknown): EventInfo | undefined {
  const o = rec(v);
  const meta = parseMeta(o?.metadata);
  const inv = rec(o?.involvedObject) ?? rec(o?.regarding);
  const kind = str(inv?.kind);
  const name = str(inv?.name);
  if (!o || !meta || !inv || !kind || !name) return undefined;
  const series = rec(o.series);
  const lastSeen = str(o.lastTimestamp) ?? str(series?.lastObservedTime) ?? str(o.eventTime) ?? meta.creationTimestamp;
  const source = str(rec(o.source)?.component) ?? str(o.reportingComponent) ?? str(o.reportingController);
  return {
    kind: 'Event',
    meta,
    involved: { kind, name, ...(str(inv.namespace) ? { namespace: str(inv.namespace) } : {}), ...(str(inv.uid) ? { uid: str(inv.uid) } : {}) },
    type: str(o.type) ?? 'Normal',
    reason: str(o.reason) ?? '',
    message: text(o.message ?? o.note) ?? '',
    count: num(o.count) ?? num(series?.count) ?? 1,
    ...(lastSeen ? { lastSeen } : {}),
    ...(source ? { source } : {}),
  };
}

export function parseNode(v: unknown): NodeInfo | undefined {
  const o = rec(v);
  const meta = parseMeta(o?.metadata);
  if (!o || !meta) return undefined;
  const spec = rec(o.spec) ?? {};
  const status = rec(o.status) ?? {};
  const ready = parseConditions(status.conditions).find((c) => c.type === 'Ready');
  return {
    kind: 'Node',
    meta,
    name: meta.name,
    labels: meta.labels,
    capacity: strMap(status.capacity),
    allocatable: strMap(status.allocatable),
    taints: parseTaints(spec.taints),
    unschedulable: bool(spec.unschedulable) ?? false,
    ready: ready?.status === 'True',
  };
}

function templateGpus(template: unknown): number {
  const spec = rec(rec(template)?.spec);
  return arr(spec?.containers).reduce<number>((n, c) => n + gpuCount(gpuQuantity(rec(c)?.resources)), 0);
}

export function parseWorkload(kind: WorkloadKind, v: unknown): WorkloadInfo | undefined {
  const o = rec(v);
  const meta = parseMeta(o?.metadata);
  if (!o || !meta) return undefined;
  const spec = rec(o.spec) ?? {};
  const status = rec(o.status) ?? {};
  const opt = (key: keyof WorkloadInfo, value: unknown) => (value === undefined ? {} : { [key]: value });
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet': {
      const desired = num(spec.replicas) ?? 1;
      return {
        kind,
        meta,
        desired,
        ready: num(status.readyReplicas) ?? 0,
        ...opt('updated', num(status.updatedReplicas)),
        ...opt('available', num(status.availableReplicas)),
        gpus: templateGpus(spec.template) * desired,
        ...(kind === 'Deployment' ? { rollout: parseRollout(o, spec, status) } : {}),
      };
    }
    case 'Job': {
      const conditions = arr(status.conditions).map(rec);
      const completed = conditions.some((c) => c?.type === 'Complete' && c.status === 'True');
      const failedCond = conditions.some((c) => c?.type === 'Failed' && c.status === 'True');
      return {
        kind,
        meta,
        desired: num(spec.completions) ?? 1,
        active: num(status.active) ?? 0,
        succeeded: num(status.succeeded) ?? 0,
        failed: num(status.failed) ?? 0,
        completed: completed || failedCond,
        ...opt('suspended', bool(spec.suspend)),
        gpus: templateGpus(spec.template),
      };
    }
    case 'CronJob': {
      const jobTemplate = rec(rec(spec.jobTemplate)?.spec);
      return {
        kind,
        meta,
        ...opt('schedule', str(spec.schedule)),
        suspended: bool(spec.suspend) ?? false,
        active: arr(status.active).length,
        ...opt('lastScheduleTime', str(status.lastScheduleTime)),
        gpus: templateGpus(jobTemplate?.template),
      };
    }
  }
}
