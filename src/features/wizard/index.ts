import * as vscode from 'vscode';
import type { Deps } from '../../platform/deps';
import type { ContainerizeService } from '../containerize/service';
import { WIZARD_VIEW_TYPE } from '../../../webview/protocol';
import { WizardController } from './panel';

export { WIZARD_VIEW_TYPE } from '../../../webview/protocol';

export interface Wizard {
  /** Opens (or reveals) the single wizard panel for a project folder; asks when there are several. */
  open(folder?: vscode.Uri): Promise<void>;
}

/**
 * The Containerize Model wizard: a webview panel (one instance, revived after a reload) over the
 * Containerize service the Quick Picks use too (folder, detection, planner, writer, preview,
 * Build & Run).
 */
export function register(context: vscode.ExtensionContext, deps: Deps, service: ContainerizeService): Wizard {
  const controller = new WizardController({ deps, service });
  context.subscriptions.push(
    controller,
    vscode.window.registerWebviewPanelSerializer(WIZARD_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state: unknown) => controller.revive(panel, state, vscode.workspace.workspaceFolders?.[0]?.uri),
    }),
  );
  return {
    async open(folder) {
      await controller.open(folder ?? (await service.pickFolder()).uri);
    },
  };
}
