import * as vscode from 'vscode';
import type { Deps } from '../../platform/deps';
import { WorkspaceDetection } from './workspaceDetection';
import { DetectionStatusBar } from './statusBar';

/**
 * Detection for the workspace: a status bar item with the detected framework and target,
 * kept current by a debounced file watcher on dependency files. Both the detector and the
 * watcher start after activation returns, so they never slow it down.
 */
export function register(context: vscode.ExtensionContext, deps: Deps): WorkspaceDetection {
  const detection = new WorkspaceDetection(deps);
  const statusBar = new DetectionStatusBar(detection);
  context.subscriptions.push(detection, statusBar);
  // Off the activation path: the first detection runs once the host is idle.
  setImmediate(() => {
    void detection.start();
  });
  return detection;
}
