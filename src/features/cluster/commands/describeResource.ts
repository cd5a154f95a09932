import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import { KubeDocumentProvider } from '../describe';
import { kubeCommand, nodeArg, requireClient, type ClusterFeature } from '../feature';

/** The live object as read-only YAML (managedFields and last-applied left out). */
export function describeResourceCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.describe',
    title: 'Describe (YAML)',
    async run(_deps, arg) {
      const n = nodeArg(feature, arg, 'pod', 'workload', 'namespace', 'container');
      const client = requireClient(feature);
      const [kind, ns, name] =
        n.type === 'namespace'
          ? ['Namespace', undefined, n.name]
          : n.type === 'container'
            ? ['Pod', n.pod.meta.namespace, n.pod.meta.name]
            : [n.info.kind, n.info.meta.namespace, n.info.meta.name];
      const uri = KubeDocumentProvider.describeUri(client.currentContext, ns, kind, name);
      feature.documents.reload(uri);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
      await vscode.window.showTextDocument(doc, { preview: true });
      return uri;
    },
  });
}
