import type * as vscode from 'vscode';
import type { ClusterTreeModel, TreeNode } from '../../kube';
import type { PodLogs } from './logs';

/**
 * ModelDockApi.cluster: the one documented way other extensions and the extension-host tests
 * look at the Clusters view. (Its modal confirmations are answered in tests through ModelDockApi.test.)
 *  - model: the tree as data. getChildren(node) gives the nodes the view shows (and the only nodes
 *    the kube commands accept as arguments), present(node) how each looks, connection whether the
 *    view is connected or waits for the user's Connect (untrusted workspace).
 *  - view: the TreeView itself (reveal, visibility).
 *  - logs: the open log sessions; onDidWrite reports every line written to any of them (the output
 *    channels cannot be read back).
 */
export interface ClusterApi {
  readonly model: ClusterTreeModel;
  readonly view: vscode.TreeView<TreeNode>;
  readonly logs: PodLogs;
}
