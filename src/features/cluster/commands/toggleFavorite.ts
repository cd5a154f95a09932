import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import { kubeCommand, nodeArg, type ClusterFeature } from '../feature';

export function toggleFavoriteCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.toggleFavorite',
    title: 'Toggle Favourite Namespace',
    async run(_deps, arg) {
      const ns = nodeArg(feature, arg, 'namespace');
      const current = feature.settings().favoriteNamespaces;
      const next = current.includes(ns.name) ? current.filter((n) => n !== ns.name) : [...current, ns.name];
      await vscode.workspace.getConfiguration('modeldock.kube').update('favoriteNamespaces', next, vscode.ConfigurationTarget.Global);
      feature.model.setFavorites(next);
    },
  });
}
