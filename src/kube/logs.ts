import { LineBuffer } from './lines';
import type { ClusterClient, Disposable, LogOptions, PodInfo, ResourceWatch } from './types';

/** Typical ML failures worth a highlight and a hint, in the order they are tested. */
export type LogProblem = 'cuda-oom' | 'no-kernel-image' | 'nccl' | 'oom-killed' | 'cuda-driver' | 'traceback';

export interface LineClass {
  readonly problem: LogProblem;
  readonly severity: 'error' | 'warning';
  readonly label: string;
  readonly hint: string;
}

const RULES: readonly { re: RegExp; cls: LineClass }[] = [
  {
    re: /CUDA out of memory|CUDA_ERROR_OUT_OF_MEMORY|cudaErrorMemoryAllocation|OutOfMemoryError: CUDA|RESOURCE_EXHAUSTED: ?OOM when allocating|CUBLAS_STATUS_ALLOC_FAILED/i,
    cls: {
      problem: 'cuda-oom',
      severity: 'error',
      label: 'CUDA out of memory',
      hint: 'The GPU ran out of memory: lower the batch size, enable mixed precision/gradient checkpointing, or request a larger GPU.',
    },
  },
  {
    re: /no kernel image is available for execution on the device|cudaErrorNoKernelImageForDevice|is not compatible with the current PyTorch installation/i,
    cls: {
      problem: 'no-kernel-image',
      severity: 'error',
      label: 'CUDA arch mismatch',
      hint: 'The framework was built without kernels for this GPU architecture: use an image whose CUDA/PyTorch build supports the node\'s GPU (compute capability).',
    },
  },
  {
    re: /\bNCCL (?:WARN|ERROR)\b|\bnccl(?:Internal|System|UnhandledCuda|InvalidUsage|Remote)Error\b|ProcessGroupNCCL.*(?:timeout|timed out|error)|NCCL communicator was aborted|NCCL error/i,
    cls: {
      problem: 'nccl',
      severity: 'error',
      label: 'NCCL',
      hint: 'Multi-GPU communication failed: check NCCL_DEBUG=INFO output, shared memory (/dev/shm size), network interfaces (NCCL_SOCKET_IFNAME) and that all ranks started.',
    },
  },
  {
    re: /\bOOMKilled\b|Out of memory: Killed process|\bKilled process \d+|exit code 137\b/i,
    cls: {
      problem: 'oom-killed',
      severity: 'error',
      label: 'OOMKilled',
      hint: 'The container exceeded its memory limit and the kernel killed it: raise resources.limits.memory or reduce host-side memory (data loader workers, caching).',
    },
  },
  {
    re: /CUDA driver version is insufficient|no CUDA-capable device is detected|Found no NVIDIA driver|NVIDIA-SMI has failed|could not select device driver/i,
    cls: {
      problem: 'cuda-driver',
      severity: 'error',
      label: 'No GPU / driver',
      hint: 'The container sees no usable GPU: request nvidia.com/gpu, schedule onto a GPU node, and check the node\'s driver matches the image\'s CUDA version.',
    },
  },
  {
    re: /^Traceback \(most recent call last\):/,
    cls: { problem: 'traceback', severity: 'warning', label: 'Python traceback', hint: 'A Python exception follows.' },
  },
];

/** Classifies one log line; undefined for an ordinary line. Pure, so it is unit-tested. */
export function classifyLogLine(line: string): LineClass | undefined {
  for (const r of RULES) if (r.re.test(line)) return r.cls;
  return undefined;
}

export interface LogLine {
  readonly container: string;
  readonly text: string;
  /** A line ModelDock wrote (restart separator, error), not the container. */
  readonly meta?: boolean;
  readonly cls?: LineClass;
}

/** A log line longer than this is shown in pieces: a container printing binary must not fill memory. */
export const MAX_LOG_LINE = 64 * 1024;

/** Splits a stream of text chunks into lines (CRLF too), holding at most `maxLength` of a partial line. */
export class LineSplitter {
  private readonly buffer: LineBuffer;
  constructor(onLine: (line: string) => void, maxLength = MAX_LOG_LINE) {
    this.buffer = new LineBuffer(maxLength, (l) => onLine(l.endsWith('\r') ? l.slice(0, -1) : l), 'split');
  }
  push(text: string): void {
    this.buffer.push(text);
  }
  flush(): void {
    this.buffer.flush();
  }
}

export interface LogFollowOptions extends LogOptions {
  readonly namespace: string;
  readonly pod: string;
  /** One container, or every container (init containers included) when undefined. */
  readonly container?: string;
  readonly write: (line: LogLine) => void;
}

/**
 * Follows a pod's logs across container restarts. It watches the pod itself (one object, by
 * field selector) so a restart is seen as `restartCount` going up; the ended stream of the old
 * container instance is then replaced by a stream of the new one, with a separator saying why the
 * previous run ended. The crashed run stays available through `previous`.
 */
export class LogFollower implements Disposable {
  private readonly watch: ResourceWatch<PodInfo> | undefined;
  private readonly streams = new Map<string, Disposable>();
  /** Containers whose stream ended, with the restart count they had: waiting for the next run. */
  private readonly waiting = new Map<string, number>();
  private readonly subs: Disposable[] = [];
  private disposed = false;
  private podGone = false;
  private readonly started: Promise<void>;

  constructor(
    private readonly client: ClusterClient,
    private readonly opts: LogFollowOptions,
  ) {
    if (opts.follow && !opts.previous) {
      this.watch = client.watch('Pod', opts.namespace, { fieldSelector: `metadata.name=${opts.pod}` });
      this.subs.push(this.watch.onChange(() => this.onPodChange()));
    }
    this.started = this.start();
  }

  /** Settles once the first streams are open (or failed, which was written as a meta line). */
  ready(): Promise<void> {
    return this.started;
  }

  private async currentPod(): Promise<PodInfo | undefined> {
    const w = this.watch;
    if (w) {
      if (w.state.kind === 'loading') {
        await new Promise<void>((resolve) => {
          const sub = w.onState(() => {
            sub.dispose();
            resolve();
          });
        });
      }
      return w.items.get(this.opts.pod);
    }
    const pods = await this.client.list('Pod', this.opts.namespace);
    return pods.find((p) => p.meta.name === this.opts.pod);
  }

  private containersOf(pod: PodInfo | undefined): string[] {
    if (this.opts.container) return [this.opts.container];
    if (!pod) return [];
    return [...pod.initContainers, ...pod.containers].map((c) => c.name);
  }

  private async start(): Promise<void> {
    let pod: PodInfo | undefined;
    try {
      pod = await this.currentPod();
    } catch (err) {
      this.meta('', `cannot read pod ${this.opts.pod}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (!pod) {
      this.meta('', `pod ${this.opts.namespace}/${this.opts.pod} not found`);
      return;
    }
    const names = this.containersOf(pod);
    await Promise.all(names.map((c) => this.open(c, pod, true)));
  }

  private restartCount(pod: PodInfo | undefined, container: string): number {
    const c = pod && [...pod.containers, ...pod.initContainers].find((x) => x.name === container);
    return c?.restartCount ?? 0;
  }

  private async open(container: string, pod: PodInfo | undefined, first: boolean): Promise<void> {
    if (this.disposed) return;
    const multi = this.opts.container === undefined;
    const splitter = new LineSplitter((text) => {
      const cls = classifyLogLine(text);
      this.opts.write({ container, text, ...(cls ? { cls } : {}) });
    });
    const countAtOpen = this.restartCount(pod, container);
    const initInfo = pod?.initContainers.find((c) => c.name === container);
    // An init container that finished long ago has no live stream to follow; print and move on.
    const options: LogOptions = {
      follow: !!this.opts.follow && !this.opts.previous,
      timestamps: !!this.opts.timestamps,
      previous: !!this.opts.previous,
      ...(first && this.opts.tailLines !== undefined ? { tailLines: this.opts.tailLines } : {}),
      ...(first && this.opts.sinceSeconds !== undefined ? { sinceSeconds: this.opts.sinceSeconds } : {}),
    };
    try {
      const stream = await this.client.logs(this.opts.namespace, this.opts.pod, container, options, (t) => splitter.push(t));
      if (this.disposed) {
        stream.dispose();
        return;
      }
      this.streams.set(container, stream);
      void stream.ended.then(() => {
        splitter.flush();
        if (this.streams.get(container) !== stream) return;
        this.streams.delete(container);
        if (!options.follow || this.disposed) return;
        if (initInfo && initInfo.state === 'terminated') return;
        this.waiting.set(container, countAtOpen);
        this.onPodChange();
      });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.meta(multi ? container : '', `cannot stream logs of ${container}: ${msg}`);
    }
  }

  private onPodChange(): void {
    if (this.disposed || !this.watch) return;
    const pod = this.watch.items.get(this.opts.pod);
    if (!pod) {
      if (this.watch.state.kind === 'ready' && !this.podGone) {
        this.podGone = true;
        this.meta('', `── pod ${this.opts.pod} was deleted ──`);
      }
      return;
    }
    for (const [container, count] of [...this.waiting]) {
      const info = [...pod.containers, ...pod.initContainers].find((c) => c.name === container);
      if (!info || info.restartCount <= count) continue;
      // Wait until the new instance exists; a terminated-again instance still has logs to show.
      if (info.state === 'waiting') continue;
      this.waiting.delete(container);
      const last = info.lastTermination;
      const why = last ? `last run ended: ${last.reason}, exit code ${last.exitCode}` : 'restarted';
      this.meta(container, `── container ${container} restarted (restart #${info.restartCount}; ${why}) ──`);
      void this.open(container, pod, false);
    }
  }

  private meta(container: string, text: string): void {
    const cls = classifyLogLine(text);
    this.opts.write({ container, text, meta: true, ...(cls ? { cls } : {}) });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.streams.values()) s.dispose();
    this.streams.clear();
    for (const s of this.subs) s.dispose();
    this.watch?.dispose();
  }
}
