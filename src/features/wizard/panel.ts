import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Deps } from '../../platform/deps';
import { errorMessage, isCancellation } from '../../platform/errors';
import { confirmUnverified } from '../containerize/askChoices';
import type { ContainerizeService } from '../containerize/service';
import { type HostToWebview, type PersistedState, WIZARD_VIEW_TYPE, parsePersistedState, parseWebviewMessage } from '../../../webview/protocol';
import { type Effect, type HostEvent, type WizardServices, type WizardState, handleMessage, initialState } from './handlers';
import { makeNonce, wizardHtml } from './html';

export interface WizardEnv {
  deps: Deps;
  /** Folder, detection, planner, writer, preview and Build & Run: shared with the Quick Picks. */
  service: ContainerizeService;
}

export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

export function panelOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    // Only the bundle: the page can load nothing from the workspace or the rest of the extension.
    localResourceRoots: [webviewRoot(extensionUri)],
    enableFindWidget: true,
    // No retainContextWhenHidden: the page persists its state (setState) and the host re-sends
    // data on `ready`, which costs far less memory than keeping a hidden page alive.
  };
}

/** One wizard page bound to one project folder: runs the reducer's effects against VS Code. */
export class WizardPanel implements vscode.Disposable {
  private state: WizardState;
  private readonly services: WizardServices;
  private readonly disposables: vscode.Disposable[] = [];
  private detecting: Promise<void> | undefined;
  private disposed = false;
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.closed.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly folder: vscode.Uri,
    private readonly env: WizardEnv,
    restored: PersistedState | null,
  ) {
    const { deps } = env;
    panel.webview.options = panelOptions(deps.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'modeldock.svg');
    const name = path.basename(folder.fsPath);
    panel.title = `Containerize Model — ${name}`;
    this.services = env.service.planner(folder);
    const detection = env.service.detection.resultFor(folder.fsPath) ?? null;
    this.state = initialState({ uri: folder.toString(), name }, detection, restored, { buildAndRun: env.service.buildAndRun !== undefined }, this.services);

    this.disposables.push(
      this.closed,
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const msg = parseWebviewMessage(raw);
        if (!msg) {
          deps.log.warn(`wizard: dropped a malformed message from the webview: ${JSON.stringify(raw)?.slice(0, 200)}`);
          return;
        }
        this.dispatch(msg);
      }),
      // The one detection source: a re-detect from anywhere (status bar's folder, Quick Picks)
      // updates this page too.
      env.service.detection.onDidDetect((r) => {
        if (r.root === folder.fsPath && r !== this.state.detection) this.dispatch({ type: 'detected', detection: r });
      }),
      this.watchOutputs(),
      // writePlan compares against an open document's text, so the preview must follow it too.
      vscode.workspace.onDidChangeTextDocument((e) => {
        const uri = e.document.uri.toString();
        if (this.state.plan?.files.some((f) => vscode.Uri.joinPath(folder, f.path).toString() === uri)) this.dispatch({ type: 'filesChanged' });
      }),
    );
    panel.webview.html = this.html();
  }

  private html(): string {
    const { webview } = this.panel;
    return wizardHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot(this.env.deps.extensionUri), 'webview.js')).toString(),
      title: this.panel.title,
    });
  }

  private watchOutputs(): vscode.Disposable {
    // Outputs change on disk (a write, an undo, a hand edit): their actions and diffs follow.
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(this.folder, '{*,k8s/**}'));
    const changed = () => this.dispatch({ type: 'filesChanged' });
    watcher.onDidCreate(changed);
    watcher.onDidChange(changed);
    watcher.onDidDelete(changed);
    return watcher;
  }

  /** For the tests and the controller: the reducer's current state (read-only use). */
  get current(): WizardState {
    return this.state;
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  dispatch(msg: Parameters<typeof handleMessage>[1]): void {
    if (this.disposed) return;
    const step = handleMessage(this.state, msg, this.services);
    this.state = step.state;
    for (const r of step.replies) this.post(r);
    for (const e of step.effects) {
      this.run(e).catch((err: unknown) => {
        this.env.deps.log.error(err instanceof Error ? err : new Error(String(err)));
        this.post({ type: 'error', message: errorMessage(err) });
      });
    }
  }

  private post(msg: HostToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(msg);
  }

  private async run(effect: Effect): Promise<void> {
    switch (effect.kind) {
      case 'openFile': {
        const uri = vscode.Uri.joinPath(this.folder, effect.file);
        const line = effect.line ? effect.line - 1 : 0;
        await vscode.window.showTextDocument(uri, {
          viewColumn: vscode.ViewColumn.Beside,
          preview: true,
          selection: new vscode.Range(line, 0, line, 0),
        });
        return;
      }
      case 'openDiff': {
        const proposed = this.env.service.preview.set(effect.path, effect.content);
        const existing = vscode.Uri.joinPath(this.folder, effect.path);
        await vscode.commands.executeCommand('vscode.diff', existing, proposed, `${effect.path}: current ↔ ModelDock`, {
          preview: true,
          viewColumn: vscode.ViewColumn.Beside,
        });
        return;
      }
      case 'write':
        await this.write(effect);
        return;
      case 'build': {
        // The Docker feature's typed API: Build (progress, Cancel, terminal), then Run with the
        // plan's ports, GPUs, shm and env. Each step reports its own failure.
        const buildAndRun = this.env.service.buildAndRun;
        if (buildAndRun) await buildAndRun(this.folder, effect.plan);
        return;
      }
      case 'detect':
        await this.detect();
        return;
    }
  }

  private async write(effect: Extract<Effect, { kind: 'write' }>): Promise<void> {
    let event: HostEvent;
    try {
      // Asked every time: nothing remembers a yes for an unverified plan.
      if (effect.unverified) await confirmUnverified(this.env.deps.prompts, effect.unverified);
      // The same WorkspaceEdit path as the command: one undo removes it, and a file that exists
      // and differs gets the diff + modal question unless the user ticked "overwrite".
      const outcome = await this.env.service.write(this.folder, effect.files, effect.policy);
      this.env.deps.log.info(
        `wizard ${path.basename(this.folder.fsPath)}: created ${outcome.created.length}, overwritten ${outcome.overwritten.length}, kept ${outcome.skipped.length}, unchanged ${outcome.unchanged.length}`,
      );
      event = { type: 'written', outcome, then: effect.then };
    } catch (err) {
      if (!isCancellation(err)) this.env.deps.log.error(err instanceof Error ? err : new Error(String(err)));
      event = { type: 'writeFailed', message: errorMessage(err), cancelled: isCancellation(err) };
    }
    this.dispatch(event);
  }

  private detect(): Promise<void> {
    // One detection at a time: `ready` after a reload and a Re-detect click may overlap.
    this.detecting ??= (async () => {
      try {
        const r = await this.env.service.detect(this.folder, { fresh: true, progress: false });
        // The detection event usually delivered it already.
        if (r !== this.state.detection) this.dispatch({ type: 'detected', detection: r });
      } finally {
        this.detecting = undefined;
      }
    })();
    return this.detecting;
  }

  isFor(folder: vscode.Uri): boolean {
    return folder.toString() === this.folder.toString();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.closed.fire();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}

/** Owns the single wizard panel (createOrShow) and revives it after a reload. */
export class WizardController implements vscode.Disposable {
  private active: WizardPanel | undefined;

  constructor(private readonly env: WizardEnv) {}

  get panel(): WizardPanel | undefined {
    return this.active;
  }

  async open(folder: vscode.Uri): Promise<WizardPanel> {
    if (this.active && this.active.isFor(folder)) {
      this.active.reveal();
      return this.active;
    }
    // One panel: a different folder replaces the page in the same tab.
    const previous = this.active;
    const column = previous?.panel.viewColumn ?? vscode.ViewColumn.Active;
    const panel = vscode.window.createWebviewPanel(WIZARD_VIEW_TYPE, 'Containerize Model', { viewColumn: column, preserveFocus: false }, panelOptions(this.env.deps.extensionUri));
    previous?.dispose();
    return this.adopt(new WizardPanel(panel, folder, this.env, null));
  }

  async revive(panel: vscode.WebviewPanel, raw: unknown, fallback: vscode.Uri | undefined): Promise<void> {
    const restored = parsePersistedState(raw);
    const folder = restored ? vscode.Uri.parse(restored.folder) : fallback;
    if (!folder || !(await exists(folder))) {
      panel.dispose();
      return;
    }
    this.active?.dispose();
    this.adopt(new WizardPanel(panel, folder, this.env, restored));
  }

  private adopt(p: WizardPanel): WizardPanel {
    this.active = p;
    p.onDidDispose(() => {
      if (this.active === p) this.active = undefined;
    });
    return p;
  }

  dispose(): void {
    this.active?.dispose();
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
