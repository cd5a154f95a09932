import * as vscode from 'vscode';
import { LogFollower, type ClusterClient, type LogLine } from '../../kube';

const MAX_KEPT = 5_000;

/** One pod's log output: an OutputChannel (language `log`, so levels colour) plus a bounded copy. */
export class PodLogSession implements vscode.Disposable {
  readonly channel: vscode.OutputChannel;
  private follower: LogFollower | undefined;
  private readonly kept: string[] = [];
  private readonly emitter = new vscode.EventEmitter<string>();
  /** Fires per written line (the extension-host tests wait on it). */
  readonly onDidWrite = this.emitter.event;

  constructor(
    readonly key: string,
    title: string,
  ) {
    this.channel = vscode.window.createOutputChannel(title, 'log');
  }

  /** What was written, for tests and for "copy"; the channel itself cannot be read back. */
  text(): string {
    return this.kept.join('\n');
  }

  write(line: string): void {
    this.channel.appendLine(line);
    this.kept.push(line);
    if (this.kept.length > MAX_KEPT) this.kept.splice(0, this.kept.length - MAX_KEPT);
    this.emitter.fire(line);
  }

  attach(follower: LogFollower): void {
    this.follower?.dispose();
    this.follower = follower;
  }

  dispose(): void {
    this.follower?.dispose();
    this.channel.dispose();
    this.emitter.dispose();
  }
}

/** How a line looks in the channel: `[container]` when several, and ML failures flagged with a hint. */
export function formatLogLine(line: LogLine, multi: boolean): string[] {
  const prefix = multi && line.container ? `[${line.container}] ` : '';
  const text = line.meta ? `${prefix}${line.text}` : `${prefix}${line.text}`;
  if (!line.cls) return [text];
  // The `log` language colours ERROR/WARN tokens: the marker makes the failure stand out.
  const level = line.cls.severity === 'error' ? 'ERROR' : 'WARN';
  return [`${text}`, `${prefix}[${level}] ${line.cls.label}: ${line.cls.hint}`];
}

export interface OpenLogsOptions {
  readonly namespace: string;
  readonly pod: string;
  readonly container?: string;
  readonly previous?: boolean;
  readonly tailLines?: number;
  readonly sinceSeconds?: number;
  readonly timestamps?: boolean;
}

/** All open log sessions, per context; disposed with the context. */
export class PodLogs implements vscode.Disposable {
  private readonly sessions = new Map<string, PodLogSession>();

  async open(client: ClusterClient, o: OpenLogsOptions): Promise<PodLogSession> {
    const key = `${client.currentContext}/${o.namespace}/${o.pod}/${o.container ?? '*'}${o.previous ? '/previous' : ''}`;
    let session = this.sessions.get(key);
    if (!session) {
      const what = `${o.namespace}/${o.pod}${o.container ? `/${o.container}` : ''}${o.previous ? ' (previous)' : ''}`;
      session = new PodLogSession(key, `ModelDock Logs: ${what}`);
      this.sessions.set(key, session);
    } else {
      session.write(`── re-attached ${new Date().toISOString()} ──`);
    }
    const s = session;
    const multi = o.container === undefined;
    const follower = new LogFollower(client, {
      namespace: o.namespace,
      pod: o.pod,
      ...(o.container ? { container: o.container } : {}),
      follow: !o.previous,
      previous: !!o.previous,
      ...(o.tailLines !== undefined && !o.previous ? { tailLines: o.tailLines } : {}),
      ...(o.sinceSeconds !== undefined ? { sinceSeconds: o.sinceSeconds } : {}),
      timestamps: !!o.timestamps,
      write: (line) => {
        for (const l of formatLogLine(line, multi)) s.write(l);
      },
    });
    s.attach(follower);
    s.channel.show(true);
    await follower.ready();
    return s;
  }

  get(key: string): PodLogSession | undefined {
    return this.sessions.get(key);
  }

  /** Context switch: streams of the old context stop; channels go too (their text is stale). */
  clear(): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
  }

  dispose(): void {
    this.clear();
  }
}
