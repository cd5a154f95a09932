import * as vscode from 'vscode';
import { applyFix } from '../../core/lint/fix';
import type { Finding, Fix } from '../../core/lint/types';
import type { LintDiagnostics } from './diagnostics';

/**
 * One replacement covering every edit of the fix. A fix may insert twice at the same position
 * and relies on array order; core's applyFix honours it, so the span it changed is replaced whole.
 */
export function fixToEdit(doc: vscode.TextDocument, fix: Fix, tag?: string): vscode.WorkspaceEdit {
  const before = doc.getText();
  const after = applyFix(before, fix, tag);
  const offsets = fix.edits.flatMap((e) => [doc.offsetAt(new vscode.Position(e.line - 1, e.column - 1)), doc.offsetAt(new vscode.Position(e.endLine - 1, e.endColumn - 1))]);
  const start = Math.min(...offsets);
  const end = Math.max(...offsets);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(start), doc.positionAt(end)), after.slice(start, end + after.length - before.length));
  return edit;
}

/** Quick fixes from the linter's plain-data `fix`, applied as WorkspaceEdits (undoable). */
export class LintCodeActions implements vscode.CodeActionProvider {
  static readonly PIN_TAG_COMMAND = 'modeldock.lint.pinImageTag';

  constructor(private readonly diagnostics: LintDiagnostics) {}

  provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, ctx: vscode.CodeActionContext): vscode.CodeAction[] {
    const findings = this.diagnostics.findings.get(doc.uri.toString()) ?? [];
    const actions: vscode.CodeAction[] = [];
    for (const diag of ctx.diagnostics) {
      if (diag.source !== 'ModelDock') continue;
      const code = typeof diag.code === 'object' ? diag.code.value : diag.code;
      const finding = findings.find(
        (f) => f.rule === code && f.message === diag.message && f.line - 1 === diag.range.start.line && f.column - 1 === diag.range.start.character,
      );
      if (!finding?.fix) continue;
      const action = new vscode.CodeAction(finding.fix.title, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diag];
      action.isPreferred = finding.fix.needsInput === undefined;
      if (finding.fix.needsInput === 'tag') {
        action.command = { command: LintCodeActions.PIN_TAG_COMMAND, title: finding.fix.title, arguments: [doc.uri, finding] };
      } else {
        action.edit = fixToEdit(doc, finding.fix);
      }
      actions.push(action);
    }
    return actions;
  }

  /** `image-latest`: ask for the tag, then apply the fix with it substituted. */
  async pinTag(uri: vscode.Uri, finding: Finding, tag?: string): Promise<boolean> {
    if (!finding.fix) return false;
    const value =
      tag ??
      (await vscode.window.showInputBox({
        title: finding.fix.title,
        prompt: 'Image tag to pin (a version, never "latest")',
        placeHolder: 'e.g. 2.3.1-cuda12.1-cudnn8-runtime',
        validateInput: (v) => (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(v) ? 'A tag is letters, digits, _ . - (up to 128)' : v === 'latest' ? 'Pin a version, not latest' : undefined),
      }));
    if (!value) return false;
    const doc = await vscode.workspace.openTextDocument(uri);
    return vscode.workspace.applyEdit(fixToEdit(doc, finding.fix, value));
  }
}
