import * as vscode from 'vscode';
import type { CrdSource } from './protocol';

/** At most this many YAML files are read looking for CRDs, each at most MAX_BYTES. */
const MAX_FILES = 5000;
const MAX_BYTES = 8 * 1024 * 1024;
const EXCLUDE = '**/{node_modules,.git,dist,out,.venv,venv}/**';
const DEBOUNCE_MS = 500;

function looksLikeCrd(text: string): boolean {
  return text.includes('CustomResourceDefinition') && text.includes('openAPIV3Schema');
}

/**
 * The CustomResourceDefinition files of the workspace, kept current by a file watcher: custom
 * resources are validated against them, offline. Reading is lazy (started by the first YAML lint)
 * and bounded; only files that contain a CRD are kept in memory.
 */
export class WorkspaceCrds implements vscode.Disposable {
  private readonly found = new Map<string, CrdSource>();
  private readonly disposables: vscode.Disposable[] = [];
  private started = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly onChange: (sources: CrdSource[]) => void) {}

  /** Starts the scan and the watcher once; later calls do nothing. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{yaml,yml}');
    this.disposables.push(
      watcher,
      watcher.onDidCreate((u) => void this.read(u)),
      watcher.onDidChange((u) => void this.read(u)),
      watcher.onDidDelete((u) => {
        if (this.found.delete(u.toString())) this.changed();
      }),
    );
    void this.scan();
  }

  private async scan(): Promise<void> {
    const uris = await vscode.workspace.findFiles('**/*.{yaml,yml}', EXCLUDE, MAX_FILES);
    for (const u of uris) await this.read(u, false);
    this.changed();
  }

  private async read(uri: vscode.Uri, notify = true): Promise<void> {
    const key = uri.toString();
    let text: string | undefined;
    try {
      const st = await vscode.workspace.fs.stat(uri);
      if (st.size <= MAX_BYTES) text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      text = undefined; // gone or unreadable: not a CRD we can use
    }
    const had = this.found.has(key);
    if (text !== undefined && looksLikeCrd(text)) this.found.set(key, { file: vscode.workspace.asRelativePath(uri, false), text });
    else this.found.delete(key);
    if (notify && (had || this.found.has(key))) this.changed();
  }

  private changed(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onChange([...this.found.values()]), DEBOUNCE_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
  }
}
