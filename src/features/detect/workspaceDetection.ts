import * as vscode from 'vscode';
import { createDetector, detectProject } from '../../core/detect';
import type { DetectionResult } from '../../core/detect/types';
import type { Deps } from '../../platform/deps';

type Detector = ReturnType<typeof createDetector>;

// Files whose change can change the report. Sources (.py) count too: imports and entrypoints.
const WATCHED = [
  'requirements*.txt',
  'constraints*.txt',
  'pyproject.toml',
  'setup.cfg',
  'setup.py',
  'Pipfile',
  'Pipfile.lock',
  'poetry.lock',
  'uv.lock',
  'environment.yml',
  'environment.yaml',
  '.python-version',
  'runtime.txt',
  'cog.yaml',
  'bentofile.yaml',
  '*.py',
  '*.ipynb',
  '.gitignore',
];
const WATCH_GLOB = `**/{${WATCHED.join(',')}}`;

/** Whether the glob above matches a file name (one `*` per pattern at most). */
function watchedName(base: string): boolean {
  return WATCHED.some((p) => {
    const star = p.indexOf('*');
    if (star < 0) return base === p;
    const head = p.slice(0, star);
    const tail = p.slice(star + 1);
    return base.length >= head.length + tail.length && base.startsWith(head) && base.endsWith(tail);
  });
}
const DEBOUNCE_MS = 300;

/**
 * The one detection source: owns the incremental detector of the first workspace folder (the
 * status bar's) and detects any other folder on request (the wizard, Quick Picks, Run), keeping
 * each folder's latest result.
 */
export class WorkspaceDetection implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<DetectionResult | undefined>();
  private readonly anyEmitter = new vscode.EventEmitter<DetectionResult>();
  /** The first folder's result changed (undefined: no folder / not a local folder). */
  readonly onDidChange = this.emitter.event;
  /** Any folder was detected (the first folder included). */
  readonly onDidDetect = this.anyEmitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter, this.anyEmitter];
  private readonly others = new Map<string, DetectionResult>();
  private detector: Detector | undefined;
  private result: DetectionResult | undefined;
  private pending = new Set<string>();
  /** A deletion the file glob could not see (a folder): the next re-detect walks the tree again. */
  private fullPending = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> = Promise.resolve();
  private folder: vscode.WorkspaceFolder | undefined;
  private watcherDisposable: vscode.Disposable | undefined;
  private generation = 0;

  constructor(private readonly deps: Deps) {}

  get current(): DetectionResult | undefined {
    return this.result;
  }

  /**
   * Resolves once file changes already seen are reflected in the result: a debounced re-detect
   * still waiting runs now. Containerize reads detection after this, so a requirements file
   * deleted a moment ago is not planned from a stale report.
   */
  async settled(): Promise<void> {
    if (this.timer !== undefined && this.pending.size > 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.runPending();
    }
    await this.running;
  }

  /** The latest result for a folder (absolute path), if it was detected. */
  resultFor(root: string): DetectionResult | undefined {
    return this.folder?.uri.fsPath === root ? this.result : this.others.get(root);
  }

  /**
   * Detects a folder from scratch now (Re-detect, or a folder seen for the first time) and
   * publishes the result: for the first folder the status bar follows.
   */
  async detect(root: string): Promise<DetectionResult> {
    if (this.folder?.uri.fsPath === root && this.detector) {
      let out: DetectionResult | undefined;
      await this.enqueue(async () => {
        if (!this.detector) return;
        out = await this.detector.detect();
        this.publish(out);
      });
      if (out) return out;
    }
    const result = await detectProject(root, this.options());
    if (this.folder?.uri.fsPath === root) this.publish(result);
    else {
      this.others.set(root, result);
      this.anyEmitter.fire(result);
    }
    return result;
  }

  private options(): { fileBudget: number; maxFileBytes: number } {
    return {
      fileBudget: this.deps.config.get('detect.fileBudget'),
      maxFileBytes: this.deps.config.get('detect.maxFileSizeKB') * 1024,
    };
  }

  async start(): Promise<void> {
    this.disposables.push(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.reset()));
    this.disposables.push(
      this.deps.config.onDidChange((key) => {
        if (key.startsWith('detect.')) void this.reset();
      }),
    );
    await this.reset();
  }

  private async reset(): Promise<void> {
    this.watcherDisposable?.dispose();
    this.folder = vscode.workspace.workspaceFolders?.[0];
    const gen = ++this.generation;
    if (!this.folder || this.folder.uri.scheme !== 'file') {
      this.detector = undefined;
      this.result = undefined;
      this.emitter.fire(undefined);
      return;
    }
    const root = this.folder.uri.fsPath;
    this.others.clear();
    this.detector = createDetector(root, this.options());
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(this.folder, WATCH_GLOB));
    const onFile = (uri: vscode.Uri) => this.queue(uri);
    watcher.onDidChange(onFile);
    watcher.onDidCreate(onFile);
    watcher.onDidDelete(onFile);
    // A deleted folder fires one event for the folder, none for the files in it: the glob above
    // never sees it. Any deletion the glob did not match may have been such a folder: the files
    // detection knew under it are gone, so the next re-detect is a full one.
    const deletions = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(this.folder, '**/*'), true, true, false);
    deletions.onDidDelete((uri) => {
      if (!watchedName(uri.path.slice(uri.path.lastIndexOf('/') + 1))) this.queue(uri, true);
    });
    this.watcherDisposable = vscode.Disposable.from(watcher, deletions);
    await this.enqueue(async () => {
      if (gen !== this.generation || !this.detector) return;
      this.publish(await this.detector.detect());
    });
  }

  private queue(uri: vscode.Uri, full = false): void {
    if (!this.folder) return;
    const rel = vscode.workspace.asRelativePath(uri, false);
    this.pending.add(rel);
    if (full) this.fullPending = true;
    // Debounced: a burst of saves (or a git checkout) costs one incremental re-detect.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.runPending();
    }, DEBOUNCE_MS);
  }

  private runPending(): void {
    const changed = [...this.pending];
    const full = this.fullPending;
    this.pending.clear();
    this.fullPending = false;
    void this.enqueue(async () => {
      if (!this.detector) return;
      const t0 = performance.now();
      this.publish(full ? await this.detector.detect() : await this.detector.update(changed));
      this.deps.log.debug(`re-detected after ${changed.length} change(s) in ${(performance.now() - t0).toFixed(1)} ms`);
    });
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const next = this.running.then(job).catch((err: unknown) => {
      this.deps.log.error(err instanceof Error ? err : new Error(String(err)));
    });
    this.running = next;
    return next;
  }

  private publish(result: DetectionResult): void {
    this.result = result;
    for (const w of result.warnings) this.deps.log.debug(`detect: ${w}`);
    this.deps.log.info(
      `detected ${result.primary ?? 'no framework'} (${result.accelerator}${result.cuda ? `, CUDA ${result.cuda}` : ''}) in ${result.stats.filesSeen} files, ${result.stats.elapsedMs.toFixed(0)} ms`,
    );
    this.emitter.fire(result);
    this.anyEmitter.fire(result);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.watcherDisposable?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
