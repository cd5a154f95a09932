import * as vscode from 'vscode';
import { LogFollower, type ClusterClient, type LogLine } from '../../kube';

/** A line written to a log session: what PodLogs.onDidWrite reports. */
export interface LogWrite {
  /** The session's key: `<context>/<namespace>/<pod>/<container|*>[/previous]`. */
  readonly session: string;
  readonly line: string;
}

/**
 * One pod's log output: an OutputChannel (language `log`, so levels colour). Nothing is kept in
 * memory: the channel holds the text; listeners of onDidWrite see each line as it is written.
 */
export class PodLogSession implements vscode.Disposable {
  readonly channel: vscode.OutputChannel;
  private follower: LogFollower | undefined;
  private readonly emitter = new vscode.EventEmitter<string>();
  /** Fires per written line. */
  readonly onDidWrite = this.emitter.event;

  constructor(
    readonly key: string,
    title: string,
    private readonly written: (w: LogWrite) => void = () => undefined,
  ) {
    this.channel = vscode.window.createOutputChannel(title, 'log');
  }

  write(line: string): void {
    this.channel.appendLine(line);
    this.emitter.fire(line);
    this.written({ session: this.key, line });
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
  private readonly writes = new vscode.EventEmitter<LogWrite>();
  /**
   * Every line written to any session, from the first (the sessions are created inside the
   * command). Part of ModelDockApi.cluster: the extension-host tests read logs through it.
   */
  readonly onDidWrite = this.writes.event;

  async open(client: ClusterClient, o: OpenLogsOptions): Promise<PodLogSession> {
    const key = `${client.currentContext}/${o.namespace}/${o.pod}/${o.container ?? '*'}${o.previous ? '/previous' : ''}`;
    let session = this.sessions.get(key);
    if (!session) {
      const what = `${o.namespace}/${o.pod}${o.container ? `/${o.container}` : ''}${o.previous ? ' (previous)' : ''}`;
      session = new PodLogSession(key, `ModelDock Logs: ${what}`, (w) => this.writes.fire(w));
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
    this.writes.dispose();
  }
}
