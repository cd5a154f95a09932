// The Deploy view's TreeDataProvider over the rows of viewModel.ts.
import * as vscode from 'vscode';
import type { DeploySession } from './pipeline';
import { rows, type Row } from './viewModel';

export { rows, type Row } from './viewModel';

export const DEPLOY_VIEW_ID = 'modeldock.views.deploy';

export class DeployTreeProvider implements vscode.TreeDataProvider<Row>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly sessions: () => readonly DeploySession[]) {}

  /** Coalesced: a burst of watch events is one refresh. */
  refresh(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.emitter.fire(undefined);
    }, 100);
  }

  getChildren(row?: Row): Row[] {
    return row ? [...(row.children ?? [])] : rows(this.sessions());
  }

  getTreeItem(row: Row): vscode.TreeItem {
    // A row that can have children is collapsible even while it has none yet (a rollout before its
    // first pod): VS Code keeps a row's first collapsible state for its id.
    const state = row.children !== undefined ? (row.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(row.label, state);
    item.id = row.id;
    if (row.description !== undefined) item.description = row.description;
    if (row.tooltip !== undefined) item.tooltip = row.tooltip;
    if (row.contextValue) item.contextValue = row.contextValue;
    if (row.command) item.command = { ...row.command, arguments: row.command.arguments ? [...row.command.arguments] : [] };
    item.iconPath = new vscode.ThemeIcon(row.icon.id, row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined);
    return item;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.emitter.dispose();
  }
}
