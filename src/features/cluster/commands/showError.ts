import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import { kubeCommand, nodeArg, type ClusterFeature } from '../feature';

export function showErrorCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.showError',
    title: 'Show Error Details',
    async run(_deps, arg) {
      const n = nodeArg(feature, arg, 'message');
      const e = n.error;
      const action = await vscode.window.showErrorMessage(e ? `${e.message}${e.hint ? `\n\n${e.hint}` : ''}` : n.text, 'Retry');
      if (action === 'Retry') feature.model.retry(n);
    },
  });
}
