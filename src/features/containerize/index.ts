import type * as vscode from 'vscode';
import { registerCommands } from '../../platform/commands';
import type { Deps } from '../../platform/deps';
import type { WorkspaceDetection } from '../detect/workspaceDetection';
import { containerizeCommand } from './containerize';
import { PreviewProvider, PREVIEW_SCHEME } from './previewProvider';
import * as vscodeApi from 'vscode';

export function register(context: vscode.ExtensionContext, deps: Deps, detection: WorkspaceDetection): void {
  const preview = new PreviewProvider();
  context.subscriptions.push(preview, vscodeApi.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, preview));
  registerCommands(context, deps, [containerizeCommand({ detection, preview })]);
}
