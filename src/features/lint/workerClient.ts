// The extension host's side of the lint worker. Requests run one at a time; each has a time
// budget. The linter itself stops between documents when the budget is spent (soft), and when the
// worker does not answer within the budget plus a grace period — a document stuck in one rule —
// the worker is terminated (the only budget a stuck computation respects) and the file gets one
// "too complex to check fully" finding. The next request starts a fresh worker.
//
// No `vscode` import: unit tests drive this with a real worker thread.
import { Worker } from 'node:worker_threads';
import { tooComplex } from '../../core/lint/fix';
import type { Finding, ProjectPins } from '../../core/lint/types';
import type { CrdSource, DockerfileRequest, LintStats, WorkerReply, WorkerRequest, YamlRequest } from './protocol';

export interface LintWorkerOptions {
  /** The worker script (dist/lint.js in the extension). */
  script: string;
  /** How long one request may take before the worker is terminated (default 3000 ms). */
  budgetMs?: number;
  /** Extra time, after the soft budget, that a document in progress may take before the hard stop. */
  graceMs?: number;
  /** Called with errors the worker reports or crashes with (never with budget overruns). */
  onError?: (err: Error) => void;
}

/** What a request resolves to: the findings, or `superseded` when a newer request for the same document replaced it in the queue. */
export type LintOutcome = { findings: Finding[]; stats?: LintStats } | 'superseded';

interface Job {
  request: Omit<YamlRequest, 'id'> | Omit<DockerfileRequest, 'id'>;
  /** Jobs with the same key replace each other while queued. */
  key: string;
  resolve: (o: LintOutcome) => void;
  reject: (err: Error) => void;
}

export const DEFAULT_BUDGET_MS = 3000;
const DEFAULT_GRACE_MS = 1000;

export class LintWorkerClient {
  private worker: Worker | undefined;
  private ready = false;
  private readonly queue: Job[] = [];
  private running: { job: Job; id: number; timer: ReturnType<typeof setTimeout>; started: number } | undefined;
  private nextId = 1;
  private crds: CrdSource[] = [];
  private disposed = false;
  /** Workers started so far (a restart after each overrun). */
  starts = 0;

  constructor(private readonly options: LintWorkerOptions) {}

  get budgetMs(): number {
    return this.options.budgetMs ?? DEFAULT_BUDGET_MS;
  }

  lintYaml(key: string, file: string, text: string, schema: boolean, kubernetesVersion?: string): Promise<LintOutcome> {
    return this.enqueue({ type: 'yaml', key, file, text, schema, budgetMs: this.budgetMs, ...(kubernetesVersion ? { kubernetesVersion } : {}) }, `yaml:${key}`);
  }

  /** The workspace's CRD files: kept here too, so a worker started after an overrun gets them. */
  setCustomResourceDefinitions(sources: CrdSource[]): void {
    this.crds = sources;
    if (this.worker && this.ready) this.post({ type: 'crds', sources });
  }

  lintDockerfile(key: string, file: string, text: string, pins: ProjectPins): Promise<LintOutcome> {
    return this.enqueue({ type: 'dockerfile', file, text, pins }, `dockerfile:${key}`);
  }

  /** The document was closed: its cache in the worker can go. */
  forget(key: string): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const j = this.queue[i]!;
      if (j.key === `yaml:${key}` || j.key === `dockerfile:${key}`) {
        this.queue.splice(i, 1);
        j.resolve('superseded');
      }
    }
    if (this.worker && this.ready) this.post({ type: 'forget', key });
  }

  dispose(): void {
    this.disposed = true;
    for (const j of this.queue.splice(0)) j.resolve('superseded');
    if (this.running) {
      clearTimeout(this.running.timer);
      this.running.job.resolve('superseded');
      this.running = undefined;
    }
    void this.worker?.terminate();
    this.worker = undefined;
  }

  private enqueue(request: Job['request'], key: string): Promise<LintOutcome> {
    if (this.disposed) return Promise.resolve('superseded');
    return new Promise<LintOutcome>((resolve, reject) => {
      const at = this.queue.findIndex((j) => j.key === key);
      const job: Job = { request, key, resolve, reject };
      if (at >= 0) {
        this.queue[at]!.resolve('superseded');
        this.queue[at] = job;
      } else this.queue.push(job);
      this.pump();
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.options.script);
    this.starts++;
    this.ready = false;
    w.on('message', (m: WorkerReply) => this.onMessage(w, m));
    w.on('error', (err) => this.onCrash(w, err));
    w.on('exit', (code) => {
      if (this.worker === w) this.onCrash(w, new Error(`lint worker exited with code ${code}`));
    });
    this.worker = w;
    return w;
  }

  private pump(): void {
    if (this.disposed || this.running || !this.queue.length) return;
    this.ensureWorker();
    if (!this.ready) return; // 'ready' pumps again
    const job = this.queue.shift()!;
    const id = this.nextId++;
    const limit = this.budgetMs + (this.options.graceMs ?? DEFAULT_GRACE_MS);
    const timer = setTimeout(() => this.overrun(), limit);
    this.running = { job, id, timer, started: performance.now() };
    this.post({ ...job.request, id } as WorkerRequest);
  }

  private post(m: WorkerRequest): void {
    this.worker?.postMessage(m);
  }

  private onMessage(w: Worker, m: WorkerReply): void {
    if (w !== this.worker) return;
    if (m.type === 'ready') {
      this.ready = true;
      if (this.crds.length) this.post({ type: 'crds', sources: this.crds });
      this.pump();
      return;
    }
    const r = this.running;
    if (!r || r.id !== m.id) return;
    clearTimeout(r.timer);
    this.running = undefined;
    if (m.type === 'result') r.job.resolve(m.stats ? { findings: m.findings, stats: m.stats } : { findings: m.findings });
    else {
      const err = new Error(`lint worker: ${m.message}`);
      this.options.onError?.(err);
      r.job.reject(err);
    }
    this.pump();
  }

  /** The running request outlived its budget: stop the worker, report the file, carry on with a new worker. */
  private overrun(): void {
    const r = this.running;
    if (!r) return;
    this.running = undefined;
    const w = this.worker;
    this.worker = undefined;
    this.ready = false;
    void w?.terminate();
    r.job.resolve({ findings: [tooComplex(r.job.request.file, performance.now() - r.started)] });
    this.pump();
  }

  private onCrash(w: Worker, err: Error): void {
    if (w !== this.worker) return;
    const wasReady = this.ready;
    this.worker = undefined;
    this.ready = false;
    this.options.onError?.(err);
    const r = this.running;
    this.running = undefined;
    if (r) {
      clearTimeout(r.timer);
      r.job.reject(err);
    }
    // A worker that dies before it is ready would die again: fail what waits, restart on the next request.
    if (!wasReady) for (const j of this.queue.splice(0)) j.reject(err);
    this.pump();
  }
}
