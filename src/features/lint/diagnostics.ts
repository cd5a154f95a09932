import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Finding } from '../../core/lint/types';
import { pinsFromDetection } from '../../core/lint/pins';
import type { Deps } from '../../platform/deps';
import type { WorkspaceDetection } from '../detect/workspaceDetection';
import { DEFAULT_BUDGET_MS, LintWorkerClient } from './workerClient';
import { WorkspaceCrds } from './workspaceCrds';
import type { CrdSource } from './protocol';

const DEBOUNCE_MS = 250;
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
 * (debounced) on change, cleared on close. Linting runs in a worker thread (dist/lint.js) with a
 * per-document time budget, so no file — however hostile — can freeze the extension host; the
 * worker keeps each open document's incremental cache, so an edit re-validates one YAML document.
 */
export class LintDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('modeldock');
  /** The findings behind the diagnostics, for quick fixes (same order as the diagnostics). */
  readonly findings = new Map<string, Finding[]>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];
  private client: LintWorkerClient | undefined;
  private clientBudget = DEFAULT_BUDGET_MS;
  private crdSources: CrdSource[] = [];
  private readonly crds = new WorkspaceCrds((sources) => {
    this.crdSources = sources;
    this.client?.setCustomResourceDefinitions(sources);
    // Custom resources may now have (or have lost) a schema.
    for (const d of vscode.workspace.textDocuments) if (!isDockerfile(d)) this.schedule(d, 0);
  });

  constructor(
    private readonly deps: Deps,
    private readonly detection: WorkspaceDetection,
    /** Path of the worker script (dist/lint.js). */
    private readonly workerScript: string,
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

  /** The worker client, (re)created when the budget setting changes. */
  private worker(budgetMs: number): LintWorkerClient {
    if (!this.client || this.clientBudget !== budgetMs) {
      this.client?.dispose();
      this.clientBudget = budgetMs;
      this.client = new LintWorkerClient({
        script: this.workerScript,
        budgetMs,
        onError: (err) => this.deps.log.error(err),
      });
      if (this.crdSources.length) this.client.setCustomResourceDefinitions(this.crdSources);
    }
    return this.client;
  }

  /** Red Hat YAML validates schemas too: leave schema findings to it when the user asks so. */
  private schemaEnabled(doc: vscode.TextDocument): boolean {
    if (!this.deps.config.get('lint.schema', doc.uri)) return false;
    if (this.deps.config.get('lint.deferSchemaToRedHatYaml', doc.uri) && vscode.extensions.getExtension(RED_HAT_YAML)) return false;
    return true;
  }

  async lint(doc: vscode.TextDocument): Promise<Finding[]> {
    if (doc.isClosed) return [];
    if (!this.deps.config.get('lint.enable', doc.uri)) {
      this.collection.delete(doc.uri);
      return [];
    }
    const budget = this.deps.config.get('lint.timeBudgetMs', doc.uri);
    const client = this.worker(budget);
    const docVersion = doc.version;
    const text = doc.getText();
    const file = vscode.workspace.asRelativePath(doc.uri, false);
    const key = doc.uri.toString();
    let outcome;
    if (isDockerfile(doc)) {
      const d = this.detection.current;
      outcome = await client.lintDockerfile(key, file, text, d ? pinsFromDetection(d) : {});
    } else {
      this.crds.start();
      const version = this.deps.config.get('lint.kubernetesVersion', doc.uri);
      outcome = await client.lintYaml(key, file, text, this.schemaEnabled(doc), version && version !== 'newest' ? version : undefined);
    }
    // A newer edit already scheduled its own run: drop this stale result.
    if (outcome === 'superseded' || doc.isClosed || doc.version !== docVersion) return outcome === 'superseded' ? [] : outcome.findings;
    this.findings.set(key, outcome.findings);
    this.collection.set(doc.uri, outcome.findings.map(toDiagnostic));
    return outcome.findings;
  }

  private clear(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.findings.delete(key);
    this.client?.forget(key);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
    this.client?.dispose();
    this.crds.dispose();
    this.collection.dispose();
  }
}
