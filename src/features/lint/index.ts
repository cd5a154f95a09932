import * as vscode from 'vscode';
import type { Finding } from '../../core/lint/types';
import type { Deps } from '../../platform/deps';
import type { WorkspaceDetection } from '../detect/workspaceDetection';
import { LintDiagnostics } from './diagnostics';
import { LintCodeActions } from './codeActions';

export const LINT_SELECTOR: vscode.DocumentSelector = [
  { language: 'yaml', scheme: 'file' },
  { language: 'yaml', scheme: 'untitled' },
  { language: 'dockercompose' },
  { language: 'dockerfile' },
  { pattern: '**/{Dockerfile,*.Dockerfile,Dockerfile.*}' },
];

export function register(context: vscode.ExtensionContext, deps: Deps, detection: WorkspaceDetection): void {
  // The linter runs in a worker thread; its script is bundled next to extension.js (scripts/build.mjs).
  const diagnostics = new LintDiagnostics(deps, detection, vscode.Uri.joinPath(context.extensionUri, 'dist', 'lint.js').fsPath);
  const actions = new LintCodeActions(diagnostics);
  context.subscriptions.push(
    diagnostics,
    vscode.languages.registerCodeActionsProvider(LINT_SELECTOR, actions, {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
    vscode.commands.registerCommand(LintCodeActions.PIN_TAG_COMMAND, (uri: vscode.Uri, finding: Finding, tag?: string) => actions.pinTag(uri, finding, tag)),
  );
  diagnostics.start();
}
