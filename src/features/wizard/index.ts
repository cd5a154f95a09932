import * as vscode from 'vscode';
import { registerCommands } from '../../platform/commands';
import type { Deps } from '../../platform/deps';
import { UserError, CancelledError } from '../../platform/errors';
import { WIZARD_VIEW_TYPE } from '../../../webview/protocol';
import { type DetectionSource, WizardController } from './panel';
import { WIZARD_PREVIEW_SCHEME, WizardPreviewProvider } from './preview';

export { WIZARD_VIEW_TYPE } from '../../../webview/protocol';
export type { DetectionSource } from './panel';

/** Internal command that opens the wizard (the lead routes `modeldock.containerize` to it). */
export const OPEN_WIZARD_COMMAND = 'modeldock.wizard.open';

export interface Wizard {
  /** Opens (or reveals) the single wizard panel for a project folder; asks when there are several. */
  open(folder?: vscode.Uri): Promise<void>;
}

async function pickFolder(): Promise<vscode.Uri> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) throw new UserError('Open the folder of an ML project first.', 'File › Open Folder…, then run Containerize Model again.');
  if (folders.length === 1) return folders[0]!.uri;
  const f = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which project do you want to containerize?' });
  if (!f) throw new CancelledError();
  return f.uri;
}

/**
 * The Containerize Model wizard: a webview panel (one instance, revived after a reload) driving
 * the same detection, CUDA table, planScaffold and writePlan as the QuickPick command.
 */
export function register(context: vscode.ExtensionContext, deps: Deps, detection: DetectionSource): Wizard {
  const preview = new WizardPreviewProvider();
  const controller = new WizardController({ deps, detection, preview });
  context.subscriptions.push(
    preview,
    controller,
    vscode.workspace.registerTextDocumentContentProvider(WIZARD_PREVIEW_SCHEME, preview),
    vscode.window.registerWebviewPanelSerializer(WIZARD_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state: unknown) => controller.revive(panel, state, vscode.workspace.workspaceFolders?.[0]?.uri),
    }),
  );
  const open = async (folder?: vscode.Uri): Promise<void> => {
    await controller.open(folder ?? (await pickFolder()));
  };
  registerCommands(context, deps, [
    {
      id: OPEN_WIZARD_COMMAND,
      title: 'Containerize Model',
      // From the explorer context menu the argument is the folder's Uri.
      run: (_deps, arg) => open(arg instanceof vscode.Uri ? arg : undefined),
    },
  ]);
  return { open };
}
