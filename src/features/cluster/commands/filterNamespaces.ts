import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import { CancelledError } from '../../../platform/errors';
import { kubeCommand, type ClusterFeature } from '../feature';

export function filterNamespacesCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.filterNamespaces',
    title: 'Filter Namespaces',
    async run() {
      const text = await vscode.window.showInputBox({ prompt: 'Show namespaces containing…', value: feature.model.namespaceFilter });
      if (text === undefined) throw new CancelledError();
      feature.model.setFilter(text);
    },
  });
}
