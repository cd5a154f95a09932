import type * as vscode from 'vscode';
import type { ClusterTreeModel, TreeNode } from '../../kube';
import type { PodLogs } from './logs';

/**
 * ModelDockApi.cluster: the one documented way other extensions and the extension-host tests
 * look at the Clusters view. There are no test-only hooks besides it.
 *  - model: the tree as data. getChildren(node) gives the nodes the view shows (and the only nodes
 *    the kube commands accept as arguments), present(node) how each looks, connection whether the
 *    view is connected or waits for the user's Connect (untrusted workspace).
 *  - view: the TreeView itself (reveal, visibility).
 *  - logs: the open log sessions; onDidWrite reports every line written to any of them (the output
 *    channels cannot be read back).
 * Modal confirmations (delete, restart, apply) are answered in the UI like a person does; no
 * argument or flag skips them.
 */
export interface ClusterApi {
  readonly model: ClusterTreeModel;
  readonly view: vscode.TreeView<TreeNode>;
  readonly logs: PodLogs;
}
