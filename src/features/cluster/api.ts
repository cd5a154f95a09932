import type * as vscode from 'vscode';
import type { ClusterTreeModel, TreeNode } from '../../kube';
import type { Answerer } from './feature';
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
 *  - test: the only test hook (see ClusterTestApi).
 */
export interface ClusterApi {
  readonly model: ClusterTreeModel;
  readonly view: vscode.TreeView<TreeNode>;
  readonly logs: PodLogs;
  readonly test: ClusterTestApi;
}

/**
 * What the extension-host tests need and a person does not. VS Code refuses modal dialogs in
 * extension tests, so the confirmations of Delete Pod, Restart Deployment and Apply Manifest are
 * answered here; every automated answer is logged. It is reachable only by code already running
 * in the extension host, never by a command argument or link.
 */
export interface ClusterTestApi {
  /** Until disposed, `answerer` answers the cluster commands' modal questions (true: go ahead). */
  answerConfirmations(answerer: Answerer): vscode.Disposable;
}
