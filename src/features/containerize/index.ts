import * as vscode from 'vscode';
import { registerCommands } from '../../platform/commands';
import type { Deps } from '../../platform/deps';
import type { WorkspaceDetection } from '../detect/workspaceDetection';
import { containerizeCommand, containerizeQuickCommand, type Wizard } from './containerize';
import { PreviewProvider, PREVIEW_SCHEME } from './previewProvider';

export function register(context: vscode.ExtensionContext, deps: Deps, detection: WorkspaceDetection, wizard: Wizard): void {
  const preview = new PreviewProvider();
  context.subscriptions.push(preview, vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, preview));
  const services = { detection, preview, wizard };
  registerCommands(context, deps, [containerizeCommand(services), containerizeQuickCommand(services)]);
}
