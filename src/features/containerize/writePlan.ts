import * as vscode from 'vscode';
import { UnsafePathError, checkWriteTarget, printable } from '../../core/safePath';
import type { PlannedFile } from '../../core/scaffold/types';
import { CancelledError, UserError } from '../../platform/errors';
import type { Prompts } from '../../platform/prompts';
import type { PreviewProvider } from './previewProvider';

export type OverwritePolicy = 'ask' | 'overwrite' | 'skip';

export interface WriteOutcome {
  created: string[];
  overwritten: string[];
  skipped: string[];
  unchanged: string[];
}

/**
 * Refuses, before anything is written, every planned path that would leave the folder on disk:
 * a symlinked folder leading outside, a file that is a link (dangling or not), `..`, control
 * characters. All-or-nothing: a plan with one unsafe path writes nothing.
 */
export function checkPlanPaths(folder: vscode.Uri, files: readonly PlannedFile[]): void {
  if (folder.scheme !== 'file') return; // virtual file systems have no symlinks to follow
  const refused: string[] = [];
  for (const f of files) {
    try {
      checkWriteTarget(folder.fsPath, f.path);
    } catch (err) {
      if (!(err instanceof UnsafePathError)) throw err;
      refused.push(`${printable(f.path)}: ${err.reason}`);
    }
  }
  if (refused.length > 0) {
    throw new UserError(
      `Nothing was written: ${refused.length} file(s) would leave the project folder. ${refused.slice(0, 3).join('; ')}${refused.length > 3 ? '; …' : ''}`,
      'Remove or replace those links with regular files and folders, then generate again.',
    );
  }
}

/**
 * Writes a scaffold plan through one WorkspaceEdit, so a single undo takes it back. A file that
 * exists and differs is never replaced without showing the diff and asking (or an explicit policy).
 */
export async function writePlan(
  folder: vscode.Uri,
  files: readonly PlannedFile[],
  policy: OverwritePolicy,
  preview: PreviewProvider,
  prompts: Prompts,
): Promise<WriteOutcome> {
  checkPlanPaths(folder, files);
  const outcome: WriteOutcome = { created: [], overwritten: [], skipped: [], unchanged: [] };
  const edit = new vscode.WorkspaceEdit();
  for (const f of files) {
    const uri = vscode.Uri.joinPath(folder, ...f.path.split('/'));
    const existing = await readIfExists(uri);
    if (existing === undefined) {
      edit.createFile(uri, { contents: new TextEncoder().encode(f.content), ignoreIfExists: false }, {
        label: `Create ${f.path}`,
        needsConfirmation: false,
      });
      outcome.created.push(f.path);
      continue;
    }
    if (existing === f.content) {
      outcome.unchanged.push(f.path);
      continue;
    }
    const replace = policy === 'overwrite' || (policy === 'ask' && (await askOverwrite(uri, f, preview, prompts)));
    if (!replace) {
      outcome.skipped.push(f.path);
      continue;
    }
    // A text edit rather than a delete+create: the user's file keeps its undo history.
    const doc = await vscode.workspace.openTextDocument(uri);
    const all = new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
    edit.replace(uri, all, f.content, { label: `Overwrite ${f.path}`, needsConfirmation: false });
    outcome.overwritten.push(f.path);
  }
  // Not edit.size: it counts text edits only, and a scaffold is mostly file creations.
  if (outcome.created.length + outcome.overwritten.length > 0) {
    // The disk may have changed while the user looked at a diff: check again right before writing.
    checkPlanPaths(folder, files);
    const ok = await vscode.workspace.applyEdit(edit);
    if (!ok) throw new Error('VS Code refused the workspace edit (a file may be read-only or open in a conflicting editor).');
    // Overwritten documents are left dirty by a text edit: save them so disk matches the plan.
    for (const p of outcome.overwritten) {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === vscode.Uri.joinPath(folder, p).toString());
      await doc?.save();
    }
  }
  return outcome;
}

async function readIfExists(uri: vscode.Uri): Promise<string | undefined> {
  try {
    // Disk decides whether the file exists: a document can outlive its file (deleted while open).
    const onDisk = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    // An open editor may hold unsaved changes: those are what the user would lose.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    return open && !open.isClosed ? open.getText() : onDisk;
  } catch (err) {
    if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return undefined;
    throw err;
  }
}

async function askOverwrite(uri: vscode.Uri, f: PlannedFile, preview: PreviewProvider, prompts: Prompts): Promise<boolean> {
  const proposed = preview.set(f.path, f.content);
  await vscode.commands.executeCommand('vscode.diff', uri, proposed, `${f.path}: current ↔ ModelDock`, { preview: true });
  const choice = await prompts.modal({
    severity: 'warning',
    message: `${f.path} already exists and differs from what ModelDock would write. Overwrite it?`,
    detail: 'The diff is open. Overwriting is a single undoable edit.',
    buttons: ['Overwrite', 'Keep Mine'],
  });
  if (choice === undefined) throw new CancelledError();
  return choice === 'Overwrite';
}
