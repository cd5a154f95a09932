import * as vscode from 'vscode';
import type { Deps } from '../../platform/deps';
import type { DockerEngine } from '../../docker/types';
import { readDockerSettings } from './settings';

/**
 * Owns the engine connection. Created at activation but connects only when first asked; a change
 * of `modeldock.docker.host` disposes the connection and everything tied to it (its own list).
 */
export class DockerSession implements vscode.Disposable {
  private engine: Promise<DockerEngine> | undefined;
  /** Disposables that live exactly as long as the current connection (events streams, log followers). */
  private connectionDisposables: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly started = new vscode.EventEmitter<string>();
  private readonly configListener: vscode.Disposable;
  /** Fires after the connection was replaced; listeners re-subscribe lazily. */
  readonly onDidChangeEngine = this.changed.event;
  /** Fires when ModelDock started a container (the tree starts listening then, even if hidden). */
  readonly onDidStartContainer = this.started.event;

  constructor(private readonly deps: Deps) {
    this.configListener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('modeldock.docker.host')) this.reset();
    });
  }

  get connected(): boolean {
    return this.engine !== undefined;
  }

  getEngine(): Promise<DockerEngine> {
    this.engine ??= (async () => {
      const { connectEngine } = await import('../../docker/index');
      const settings = readDockerSettings();
      const engine = await connectEngine({
        hostSetting: settings.host || undefined,
        deps: { log: { debug: (m) => this.deps.log.debug(m), warn: (m) => this.deps.log.warn(m) } },
      });
      const d = engine.discovered;
      this.deps.log.info(`Docker engine: ${d.address} (from ${d.source}${d.contextName ? `, context ${d.contextName}` : ''}, ${d.flavour})`);
      for (const note of d.notes) this.deps.log.debug(`docker discovery: ${note}`);
      return engine;
    })().catch((err: unknown) => {
      this.engine = undefined;
      throw err;
    });
    return this.engine;
  }

  /** Ties a disposable to the current connection. */
  own(d: vscode.Disposable): void {
    this.connectionDisposables.push(d);
  }

  notifyStarted(containerId: string): void {
    this.started.fire(containerId);
  }

  reset(): void {
    const old = this.engine;
    this.engine = undefined;
    const owned = this.connectionDisposables;
    this.connectionDisposables = [];
    for (const d of owned) d.dispose();
    void old?.then((e) => e.dispose(), () => undefined);
    this.changed.fire();
  }

  dispose(): void {
    this.reset();
    this.configListener.dispose();
    this.changed.dispose();
    this.started.dispose();
  }
}
