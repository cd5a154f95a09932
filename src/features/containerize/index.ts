import * as vscode from 'vscode';
import { registerCommands } from '../../platform/commands';
import type { Deps } from '../../platform/deps';
import type { DockerApi } from '../docker/api';
import type { WorkspaceDetection } from '../detect/workspaceDetection';
import { containerizeCommand, containerizeQuickCommand, type Wizard } from './containerize';
import { PreviewProvider, PREVIEW_SCHEME } from './previewProvider';
import { createContainerizeService, type ContainerizeService } from './service';

/** The Containerize service both front-ends share (the wizard registers on top of it). */
export function createService(context: vscode.ExtensionContext, deps: Deps, detection: WorkspaceDetection, docker: DockerApi | undefined): ContainerizeService {
  const preview = new PreviewProvider();
  context.subscriptions.push(preview, vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, preview));
  return createContainerizeService(deps, detection, preview, docker);
}

export function register(context: vscode.ExtensionContext, deps: Deps, service: ContainerizeService, wizard: Wizard): void {
  registerCommands(context, deps, [containerizeCommand(service, wizard), containerizeQuickCommand(service)]);
}
