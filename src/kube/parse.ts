import type {
  ContainerInfo,
  ContainerPort,
  ContainerStateKind,
  KubeObject,
  NamespaceInfo,
  ObjectMeta,
  PodInfo,
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
  };
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

function containerState(s: unknown): { state: ContainerStateKind; reason?: string; startedAt?: string; exitCode?: number } {
  const st = rec(s);
  if (!st) return { state: 'unknown' };
  const running = rec(st.running);
  if (running) return { state: 'running', ...(str(running.startedAt) ? { startedAt: str(running.startedAt) } : {}) };
  const waiting = rec(st.waiting);
  if (waiting) return { state: 'waiting', ...(str(waiting.reason) ? { reason: str(waiting.reason) } : {}) };
  const term = rec(st.terminated);
  if (term) {
    const exitCode = num(term.exitCode);
    return {
      state: 'terminated',
      reason: str(term.reason) ?? (exitCode === 0 ? 'Completed' : 'Error'),
      ...(exitCode !== undefined ? { exitCode } : {}),
    };
  }
  return { state: 'unknown' };
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
