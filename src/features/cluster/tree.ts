import * as vscode from 'vscode';
import type { ClusterTreeModel, Presentation, TreeNode } from '../../kube';

const COLLAPSE: Record<Presentation['collapsible'], vscode.TreeItemCollapsibleState> = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
};

/** One tree row; the node travels with it so commands receive the node as their argument. */
export class ClusterTreeItem extends vscode.TreeItem {
  constructor(
    readonly node: TreeNode,
    p: Presentation,
  ) {
    super(p.label, COLLAPSE[p.collapsible]);
    this.id = node.id;
    if (p.description !== undefined) this.description = p.description;
    if (p.tooltip !== undefined) this.tooltip = p.tooltip;
    this.contextValue = p.contextValue;
    this.iconPath = new vscode.ThemeIcon(p.icon.id, p.icon.color ? new vscode.ThemeColor(p.icon.color) : undefined);
    if (node.type === 'message' && node.kind === 'error') {
      this.command = { command: 'modeldock.kube.showError', title: 'Show Error', arguments: [node] };
    } else if (node.type === 'message' && node.kind === 'connect') {
      this.command = { command: 'modeldock.kube.connect', title: 'Connect', arguments: [node] };
    }
  }
}

/**
 * The Clusters view's data provider: a thin shell over ClusterTreeModel, which owns the watches,
 * the coalescing and the Loading… states. getChildren answers synchronously from the model.
 */
export class ClusterTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly sub: { dispose(): void };

  constructor(readonly model: ClusterTreeModel) {
    this.sub = model.onDidChange((nodes) => this.emitter.fire(nodes ? [...nodes] : undefined));
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return new ClusterTreeItem(node, this.model.present(node));
  }

  getChildren(node?: TreeNode): TreeNode[] {
    return this.model.getChildren(node);
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return this.model.getParent(node);
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}
