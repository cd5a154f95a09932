// Follows one Deployment's rollout live, from watches (no polling): the Deployment itself (by
// name), its ReplicaSets and pods (by its selector), the namespace's events about them, and, only
// while a new pod is unschedulable, the nodes and the pods bound to them, to say in numbers why it
// does not fit. Crashing containers get their previous run's last lines; a pod that cannot pull
// gets the registry's own answer. Everything stops when the rollout completes, fails, times out,
// or the view that shows it hides (pause); resume lists again and carries on.
import { Coalescer, DisposableStore, Emitter } from '../../kube/batch';
import { classifyLogLine, type LineClass } from '../../kube/logs';
import type { ClusterClient, Disposable, EventInfo, NodeInfo, PodInfo, ReplicaSetInfo, ResourceWatch, WatchState, WorkloadInfo } from '../../kube/types';
import { rolloutStatus, type PodProblem, type RolloutStatus } from '../../core/deploy/rollout';
import { explainScheduling } from '../../core/deploy/scheduling';
import { coreEvent, deploymentState, isUnschedulable, podState, schedNode, schedPod } from './objects';

export interface FollowTarget {
  readonly namespace: string;
  readonly name: string;
  /** The revision the apply produced, when known: its ReplicaSet's pods are the new ones. */
  readonly expectedImages?: readonly string[];
}

export interface FollowerOptions {
  readonly client: ClusterClient;
  /** The registry's answer about an image the cluster cannot pull; undefined when it has none. */
  readonly inspectImage?: (image: string) => Promise<string | undefined>;
  readonly trace?: (message: string) => void;
  /** Give up following after this long (the Deployment's own progress deadline usually decides first). */
  readonly timeoutMs?: number;
  readonly coalesceMs?: number;
  readonly now?: () => number;
}

export interface PodRow {
  readonly name: string;
  readonly phase: string;
  readonly status: string;
  readonly ready: string;
  readonly restarts: number;
  readonly node?: string;
  readonly isNew: boolean;
  readonly gpus: number;
}

export interface ReplicaSetRow {
  readonly name: string;
  readonly revision: number;
  readonly images: readonly string[];
  readonly ready: number;
  readonly desired: number;
  readonly replicas: number;
  readonly isNew: boolean;
  readonly changeCause?: string;
}

export interface CrashLog {
  readonly pod: string;
  readonly container: string;
  readonly restartCount: number;
  readonly lines: readonly { readonly text: string; readonly cls?: LineClass }[];
  readonly error?: string;
}

export type FollowPhase = RolloutStatus['phase'] | 'timed-out' | 'gone';

export interface RolloutSnapshot {
  readonly namespace: string;
  readonly name: string;
  readonly context: string;
  readonly phase: FollowPhase;
  readonly summary: string;
  readonly problems: readonly PodProblem[];
  readonly revision?: string;
  readonly changeCause?: string;
  readonly images: readonly string[];
  readonly replicaSets: readonly ReplicaSetRow[];
  readonly pods: readonly PodRow[];
  /** Newest last; at most 30. */
  readonly events: readonly { readonly object: string; readonly type: string; readonly reason: string; readonly message: string; readonly count: number; readonly lastSeen?: string }[];
  /** Pending pods explained from the objects: pod → sentence. */
  readonly scheduling: readonly { readonly pod: string; readonly summary: string; readonly partial?: string }[];
  readonly crashLogs: readonly CrashLog[];
  /** Watches that failed (RBAC, network), so the view says what it cannot see. */
  readonly watchErrors: readonly string[];
  readonly following: boolean;
  readonly startedAt: number;
  readonly finishedAt?: number;
  /** API requests made by this follower so far (lists, watch opens, log reads). */
  readonly requests: number;
}

const TERMINAL: ReadonlySet<FollowPhase> = new Set(['complete', 'failed', 'timed-out', 'gone']);
const MAX_EVENTS = 30;
const CRASH_TAIL = 30;

export class RolloutFollower implements Disposable {
  private readonly changes = new Emitter<RolloutSnapshot>();
  readonly onDidChange = this.changes.event;
  private readonly coalescer: Coalescer<'all'>;
  private watches = new DisposableStore();
  private deployment: ResourceWatch<WorkloadInfo> | undefined;
  private sets: ResourceWatch<ReplicaSetInfo> | undefined;
  private pods: ResourceWatch<PodInfo> | undefined;
  private events: ResourceWatch<EventInfo> | undefined;
  private nodes: ResourceWatch<NodeInfo> | undefined;
  private selector: string | undefined;
  private boundPods: { pods: PodInfo[]; partial?: string } | undefined;
  private boundPodsLoading = false;
  private readonly crashLogs = new Map<string, CrashLog>();
  private readonly registryAnswers = new Map<string, string | null>();
  private current: RolloutSnapshot;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private paused = false;
  private disposed = false;
  private finished = false;
  private requestsAtStart: number;
  private requestsSoFar = 0;
  private resolveDone!: (s: RolloutSnapshot) => void;
  /** Settles with the last snapshot once the rollout completed, failed, timed out or was disposed. */
  readonly done: Promise<RolloutSnapshot>;
  private readonly now: () => number;

  constructor(
    readonly target: FollowTarget,
    private readonly options: FollowerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.coalescer = new Coalescer(options.coalesceMs ?? 100, () => this.recompute());
    this.requestsAtStart = options.client.stats().requests;
    this.current = {
      namespace: target.namespace,
      name: target.name,
      context: options.client.currentContext,
      phase: 'waiting',
      summary: `Waiting for Deployment ${target.name}…`,
      problems: [],
      images: target.expectedImages ?? [],
      replicaSets: [],
      pods: [],
      events: [],
      scheduling: [],
      crashLogs: [],
      watchErrors: [],
      following: true,
      startedAt: this.now(),
      requests: 0,
    };
    if (options.timeoutMs) this.timer = setTimeout(() => this.finish('timed-out', `Stopped following after ${Math.round(options.timeoutMs! / 1000)} s: ${this.current.summary}`), options.timeoutMs);
    this.open();
  }

  get snapshot(): RolloutSnapshot {
    return this.current;
  }

  /** The view hid: close every watch (the snapshot stays). */
  pause(): void {
    if (this.paused || this.finished) return;
    this.paused = true;
    this.closeWatches();
    this.publish({ ...this.current, following: false });
  }

  /** The view shows again: list and watch from now. */
  resume(): void {
    if (!this.paused || this.finished || this.disposed) return;
    this.paused = false;
    this.open();
  }

  private trace(m: string): void {
    this.options.trace?.(`rollout ${this.target.namespace}/${this.target.name}: ${m}`);
  }

  private open(): void {
    const { client } = this.options;
    const ns = this.target.namespace;
    this.deployment = this.watches.add(client.watch('Deployment', ns, { fieldSelector: `metadata.name=${this.target.name}` }));
    this.subscribe(this.deployment, 'deployment');
    this.events = this.watches.add(client.watch('Event', ns));
    this.subscribe(this.events, 'events');
    this.ensureSelectorWatches();
  }

  private subscribe<T>(w: ResourceWatch<T>, what: string): void {
    this.watches.add(w.onChange(() => this.coalescer.add('all')));
    this.watches.add(
      w.onState((s: WatchState) => {
        if (s.kind === 'error') this.trace(`${what} watch: ${s.error.message}`);
        this.coalescer.add('all');
      }),
    );
  }

  /** ReplicaSets and pods by the Deployment's selector, once the Deployment says what it is. */
  private ensureSelectorWatches(): void {
    const dep = this.deployment?.items.get(this.target.name);
    if (!dep || this.pods) return;
    const ns = this.target.namespace;
    this.selector = dep.rollout?.selector;
    // matchExpressions selectors: watch the namespace and keep what the Deployment owns.
    const opts = this.selector ? { labelSelector: this.selector } : {};
    this.sets = this.watches.add(this.options.client.watch('ReplicaSet', ns, opts));
    this.subscribe(this.sets, 'replicasets');
    this.pods = this.watches.add(this.options.client.watch('Pod', ns, opts));
    this.subscribe(this.pods, 'pods');
  }

  private closeWatches(): void {
    this.coalescer.fire();
    this.watches.dispose();
    this.watches = new DisposableStore();
    this.deployment = this.sets = this.pods = this.events = this.nodes = undefined;
  }

  private watchErrors(): string[] {
    const out: string[] = [];
    for (const [w, what] of [
      [this.deployment, 'the Deployment'],
      [this.sets, 'ReplicaSets'],
      [this.pods, 'pods'],
      [this.events, 'events'],
      [this.nodes, 'nodes'],
    ] as const) {
      const s = w?.state;
      if (s?.kind === 'error') out.push(`Cannot watch ${what}: ${s.error.message}${s.retrying ? ' (retrying)' : ''}`);
    }
    return out;
  }

  private recompute(): void {
    if (this.disposed || this.finished) return;
    this.ensureSelectorWatches();
    const depWatch = this.deployment;
    const dep = depWatch?.items.get(this.target.name);
    if (!dep) {
      const gone = depWatch?.state.kind === 'ready' && this.current.revision !== undefined;
      if (gone) return this.finish('gone', `Deployment ${this.target.name} was deleted.`);
      this.publish({ ...this.current, watchErrors: this.watchErrors(), requests: this.requestCount() });
      return;
    }
    const state = deploymentState(dep);
    if (!state) return;
    const uid = dep.meta.uid;
    const owned = [...(this.sets?.items.values() ?? [])].filter((r) => r.meta.ownerKind === 'Deployment' && (uid ? r.meta.ownerUid === uid : r.meta.ownerName === dep.meta.name));
    // The new ReplicaSet: the one of the Deployment's revision (the controller sets both).
    const newest = owned.find((r) => String(r.revision) === dep.rollout?.revision) ?? [...owned].sort((a, b) => b.revision - a.revision)[0];
    const setNames = new Set(owned.map((r) => r.meta.name));
    const pods = [...(this.pods?.items.values() ?? [])].filter((p) => p.meta.ownerKind === 'ReplicaSet' && p.meta.ownerName !== undefined && setNames.has(p.meta.ownerName));
    const newPods = newest ? pods.filter((p) => p.meta.ownerName === newest.meta.name) : [];
    const involved = new Set([dep.meta.name, ...setNames, ...pods.map((p) => p.meta.name)]);
    const since = this.current.startedAt - 5_000;
    const events = [...(this.events?.items.values() ?? [])]
      .filter((e) => involved.has(e.involved.name) && (!e.lastSeen || Date.parse(e.lastSeen) >= since || newPods.some((p) => p.meta.name === e.involved.name)))
      .sort((a, b) => (a.lastSeen ?? '').localeCompare(b.lastSeen ?? ''));
    const status = rolloutStatus(state, newPods.map(podState), events.map(coreEvent));

    // Registry answers for images that do not pull, and crash logs, fetched once each.
    const problems = status.problems.map((p) => {
      if (p.kind !== 'image-pull') return p;
      const image = newPods.flatMap((x) => [...x.containers, ...x.initContainers]).find((c) => c.name === p.container)?.image;
      if (!image) return p;
      this.askRegistry(image);
      const answer = this.registryAnswers.get(image);
      return answer ? { ...p, message: `${p.message}; the registry answers: ${answer}` } : p;
    });
    for (const pod of newPods) for (const c of [...pod.containers, ...pod.initContainers]) if (c.restartCount > 0) this.fetchCrashLog(pod, c.name, c.restartCount);

    const unschedulable = newPods.filter(isUnschedulable);
    const scheduling = unschedulable.length > 0 ? this.explain(unschedulable) : [];
    if (unschedulable.length === 0 && this.nodes) {
      // Nothing pending any more: the node watch is not needed.
      this.nodes.dispose();
      this.nodes = undefined;
      this.boundPods = undefined;
    }

    const podRows: PodRow[] = pods
      .map((p) => ({
        name: p.meta.name,
        phase: p.phase,
        status: p.status,
        ready: `${p.readyCount}/${p.containers.length}`,
        restarts: p.restarts,
        ...(p.nodeName ? { node: p.nodeName } : {}),
        isNew: p.meta.ownerName === newest?.meta.name,
        gpus: p.gpus,
      }))
      .sort((a, b) => Number(b.isNew) - Number(a.isNew) || a.name.localeCompare(b.name));
    const setRows: ReplicaSetRow[] = owned
      .filter((r) => r === newest || r.replicas > 0)
      .sort((a, b) => b.revision - a.revision)
      .map((r) => ({ name: r.meta.name, revision: r.revision, images: r.images, ready: r.ready, desired: r.desired, replicas: r.replicas, isNew: r === newest, ...(r.changeCause ? { changeCause: r.changeCause } : {}) }));

    const crashLogs = [...this.crashLogs.values()].filter((l) => newPods.some((p) => p.meta.name === l.pod));
    const next: RolloutSnapshot = {
      ...this.current,
      phase: status.phase,
      summary: status.summary,
      problems,
      ...(dep.rollout?.revision ? { revision: dep.rollout.revision } : {}),
      ...(dep.rollout?.changeCause ? { changeCause: dep.rollout.changeCause } : {}),
      images: dep.rollout?.images ?? this.current.images,
      replicaSets: setRows,
      pods: podRows,
      events: events.slice(-MAX_EVENTS).map((e) => ({ object: e.involved.name, type: e.type, reason: e.reason, message: e.message, count: e.count, ...(e.lastSeen ? { lastSeen: e.lastSeen } : {}) })),
      scheduling,
      crashLogs,
      watchErrors: this.watchErrors(),
      requests: this.requestCount(),
    };
    // Done only once the ReplicaSets and pods are listed too: the last snapshot shows them.
    const listed = [this.sets, this.pods, this.events].every((w) => w !== undefined && w.state.kind !== 'loading');
    if ((status.phase === 'complete' || status.phase === 'failed') && listed) {
      this.current = next;
      return this.finish(status.phase, status.summary);
    }
    this.publish(next);
  }

  private explain(pending: readonly PodInfo[]): RolloutSnapshot['scheduling'] {
    if (!this.nodes) {
      this.nodes = this.watches.add(this.options.client.watchNodes());
      this.subscribe(this.nodes, 'nodes');
    }
    if (!this.boundPods && !this.boundPodsLoading) this.loadBoundPods();
    if (this.nodes.state.kind !== 'ready' || !this.boundPods) return this.current.scheduling;
    const nodes = [...this.nodes.items.values()].map(schedNode);
    const bound = this.boundPods.pods.map(schedPod);
    return pending.map((p) => {
      const e = explainScheduling(schedPod(p), nodes, bound);
      return { pod: p.meta.name, summary: e.summary, ...(this.boundPods?.partial ? { partial: this.boundPods.partial } : {}) };
    });
  }

  /** Pods bound to nodes, in every namespace (what uses the nodes' GPUs); one list per pending spell. */
  private loadBoundPods(): void {
    this.boundPodsLoading = true;
    const { client } = this.options;
    const fieldSelector = 'status.phase!=Succeeded,status.phase!=Failed';
    void client
      .listAllPods({ fieldSelector })
      .then(
        (pods) => ({ pods }),
        async (err: unknown) => {
          // No cluster-wide list right: the namespace's own pods, and the explanation says so.
          const pods = await client.list('Pod', this.target.namespace, { fieldSelector }).catch(() => []);
          return { pods, partial: `usage counts only pods of namespace ${this.target.namespace} (${err instanceof Error ? err.message : String(err)})` };
        },
      )
      .then((r) => {
        this.boundPodsLoading = false;
        if (this.disposed) return;
        this.boundPods = r;
        this.coalescer.add('all');
      });
  }

  private askRegistry(image: string): void {
    if (this.registryAnswers.has(image) || !this.options.inspectImage) return;
    this.registryAnswers.set(image, null);
    void this.options.inspectImage(image).then(
      (answer) => {
        if (answer) {
          this.registryAnswers.set(image, answer);
          this.coalescer.add('all');
        }
      },
      (err: unknown) => this.trace(`registry check of ${image}: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  private fetchCrashLog(pod: PodInfo, container: string, restartCount: number): void {
    const key = `${pod.meta.name}/${container}`;
    const have = this.crashLogs.get(key);
    if (have && have.restartCount >= restartCount) return;
    // Placeholder first: one read per restart, however many changes arrive meanwhile.
    this.crashLogs.set(key, { pod: pod.meta.name, container, restartCount, lines: have?.lines ?? [] });
    let text = '';
    const done = (error?: string) => {
      const lines = text
        .split('\n')
        .map((l) => l.replace(/\r$/, ''))
        .filter((l) => l.length > 0)
        .slice(-CRASH_TAIL)
        .map((l) => {
          const shown = l.length > 500 ? `${l.slice(0, 500)}…` : l;
          const cls = classifyLogLine(l);
          return cls ? { text: shown, cls } : { text: shown };
        });
      this.crashLogs.set(key, { pod: pod.meta.name, container, restartCount, lines, ...(error ? { error } : {}) });
      this.coalescer.add('all');
    };
    this.options.client
      .logs(this.target.namespace, pod.meta.name, container, { previous: true, tailLines: CRASH_TAIL }, (t) => {
        if (text.length < 256 * 1024) text += t;
      })
      .then(
        (stream) => stream.ended.then(() => done()),
        (err: unknown) => done(err instanceof Error ? err.message : String(err)),
      );
  }

  private requestCount(): number {
    // Counted while following; frozen once it stops (the client may be shared).
    if (!this.finished) this.requestsSoFar = this.options.client.stats().requests - this.requestsAtStart;
    return this.requestsSoFar;
  }

  private publish(s: RolloutSnapshot): void {
    this.current = s;
    this.changes.fire(s);
  }

  private finish(phase: FollowPhase, summary: string): void {
    if (this.finished) return;
    const requests = this.requestCount();
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.closeWatches();
    const s: RolloutSnapshot = { ...this.current, phase, summary, following: false, finishedAt: this.now(), requests };
    this.publish(s);
    this.resolveDone(s);
  }

  get isFinished(): boolean {
    return this.finished || TERMINAL.has(this.current.phase);
  }

  dispose(): void {
    if (this.disposed) return;
    if (!this.finished) this.finish(this.current.phase, `${this.current.summary} (stopped following)`);
    this.disposed = true;
    this.coalescer.dispose();
    this.changes.dispose();
  }
}
