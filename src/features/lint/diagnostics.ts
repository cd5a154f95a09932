import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Finding } from '../../core/lint/types';
import type { Deps } from '../../platform/deps';
import type { WorkspaceDetection } from '../detect/workspaceDetection';

type LintModule = typeof import('../../core/lint');
type DocLinter = ReturnType<LintModule['createLinter']>;
type DocumentCache = InstanceType<LintModule['DocumentCache']>;

const DEBOUNCE_MS = 250;
// Above this size a file is linted in slices, yielding to the extension host between documents.
const ASYNC_THRESHOLD_CHARS = 256 * 1024;
const RED_HAT_YAML = 'redhat.vscode-yaml';

export function isDockerfile(doc: vscode.TextDocument): boolean {
  if (doc.languageId === 'dockerfile') return true;
  const base = path.basename(doc.uri.path);
  return base === 'Dockerfile' || base.startsWith('Dockerfile.') || base.endsWith('.Dockerfile');
}

function isLintable(doc: vscode.TextDocument): boolean {
  if (doc.uri.scheme !== 'file' && doc.uri.scheme !== 'untitled') return false;
  return doc.languageId === 'yaml' || doc.languageId === 'dockercompose' || isDockerfile(doc);
}

export function toDiagnostic(f: Finding): vscode.Diagnostic {
  const range = new vscode.Range(f.line - 1, f.column - 1, f.endLine - 1, Math.max(f.endColumn - 1, 0));
  const severity =
    f.severity === 'error' ? vscode.DiagnosticSeverity.Error : f.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const d = new vscode.Diagnostic(range, f.message, severity);
  d.source = 'ModelDock';
  d.code = { value: f.rule, target: vscode.Uri.parse(`https://github.com/modeldock/modeldock#rule-${f.rule}`) };
  return d;
}

/**
 * Keeps a DiagnosticCollection in step with open YAML/Dockerfile documents: linted on open and
 * (debounced) on change, cleared on close. The linter (Ajv + schemas) loads on the first lint.
 */
export class LintDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('modeldock');
  /** The findings behind the diagnostics, for quick fixes (same order as the diagnostics). */
  readonly findings = new Map<string, Finding[]>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Per-document incremental state: only changed YAML documents are re-validated. */
  private readonly caches = new Map<string, DocumentCache>();
  private readonly disposables: vscode.Disposable[] = [];
  private linter: Promise<{ mod: LintModule; linter: DocLinter }> | undefined;
  /** Set once the linter module is loaded (quick fixes exist only for findings it produced). */
  applyFix: LintModule['applyFix'] | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly detection: WorkspaceDetection,
  ) {}

  start(): void {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)),
      vscode.workspace.onDidCloseTextDocument((d) => this.clear(d.uri)),
      // A changed pin changes the cuda-mismatch verdict of every open Dockerfile.
      this.detection.onDidChange(() => {
        for (const d of vscode.workspace.textDocuments) if (isDockerfile(d)) this.schedule(d, 0);
      }),
      vscode.extensions.onDidChange(() => {
        for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('modeldock.lint')) for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
      }),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (!isLintable(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.lint(doc).catch((err: unknown) => this.deps.log.error(err instanceof Error ? err : new Error(String(err))));
      }, delay),
    );
  }

  private loadLinter(): Promise<{ mod: LintModule; linter: DocLinter }> {
    this.linter ??= import('../../core/lint').then((mod) => {
      this.applyFix = mod.applyFix;
      return { mod, linter: mod.createLinter() };
    });
    return this.linter;
  }

  /** Red Hat YAML validates schemas too: leave schema findings to it when the user asks so. */
  private schemaEnabled(doc: vscode.TextDocument): boolean {
    const cfg = vscode.workspace.getConfiguration('modeldock.lint', doc.uri);
    if (!cfg.get<boolean>('schema', true)) return false;
    if (cfg.get<boolean>('deferSchemaToRedHatYaml', true) && vscode.extensions.getExtension(RED_HAT_YAML)) return false;
    return true;
  }

  async lint(doc: vscode.TextDocument): Promise<Finding[]> {
    if (doc.isClosed) return [];
    if (!vscode.workspace.getConfiguration('modeldock.lint', doc.uri).get<boolean>('enable', true)) {
      this.collection.delete(doc.uri);
      return [];
    }
    const { mod, linter } = await this.loadLinter();
    const version = doc.version;
    const text = doc.getText();
    const file = vscode.workspace.asRelativePath(doc.uri, false);
    let findings: Finding[];
    if (isDockerfile(doc)) {
      const r = this.detection.current;
      const pins: { pytorch?: string; tensorflow?: string } = {};
      for (const f of r?.frameworks ?? []) {
        if ((f.name === 'pytorch' || f.name === 'tensorflow') && f.version) pins[f.name] = f.version;
      }
      const { cudaCompat } = await import('../../core/cuda');
      findings = mod.lintDockerfile(text, file, { pins, cuda: cudaCompat });
    } else {
      const key = doc.uri.toString();
      const options = { schema: this.schemaEnabled(doc) };
      const prev = this.caches.get(key);
      const result =
        text.length > ASYNC_THRESHOLD_CHARS
          ? await linter.lintYamlAsync(text, file, { ...options, yieldFn: () => new Promise<void>((r) => setImmediate(r)) }, prev)
          : linter.lintIncremental(prev, text, file, options);
      this.caches.set(key, result.cache);
      findings = result.findings;
    }
    // A newer edit already scheduled its own run: drop this stale result.
    if (doc.isClosed || doc.version !== version) return findings;
    this.findings.set(doc.uri.toString(), findings);
    this.collection.set(doc.uri, findings.map(toDiagnostic));
    return findings;
  }

  private clear(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.findings.delete(key);
    this.caches.delete(key);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
    this.collection.dispose();
  }
}
