import * as vscode from 'vscode';
import type { ManagedContainer } from '../../docker/types';
import { CancelledError, UserError } from '../../platform/errors';
import type { LocalContainersProvider } from './localContainersView';
import { isContainerNode } from './localContainersView';
import type { DockerSession } from './session';

/** What every docker command shares; passed in, never reached for globally. */
export interface DockerFeature {
  readonly session: DockerSession;
  readonly view: LocalContainersProvider;
  /** Log followers by container id, so "Show Logs" reuses an open terminal. */
  readonly logTerminals: Map<string, vscode.Terminal>;
}

/** The container a command acts on: the tree node it was invoked on, an id, or a pick. */
export async function resolveContainer(feature: DockerFeature, arg: unknown, placeHolder: string, filter?: (c: ManagedContainer) => boolean): Promise<ManagedContainer> {
  const engine = await feature.session.getEngine();
  if (isContainerNode(arg)) return arg.container;
  const list = (await engine.listManagedContainers()).filter(filter ?? (() => true));
  if (typeof arg === 'string') {
    const found = list.find((c) => c.id.startsWith(arg) || c.name === arg);
    if (found) return found;
  }
  if (list.length === 0) throw new UserError('No ModelDock containers match.', 'Run one with "ModelDock: Run Container".');
  const picked = await vscode.window.showQuickPick(
    list.map((c) => ({ label: c.name, description: `${c.state} · ${c.image}`, detail: c.status, c })),
    { placeHolder },
  );
  if (!picked) throw new CancelledError();
  return picked.c;
}

export function workspaceFolderFor(uri: vscode.Uri | undefined): vscode.WorkspaceFolder {
  const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new UserError('Open a folder first.', 'Building and running work on a workspace folder.');
  return folder;
}

export function isUri(v: unknown): v is vscode.Uri {
  return v instanceof vscode.Uri;
}
