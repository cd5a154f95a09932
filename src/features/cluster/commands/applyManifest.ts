import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import { UserError } from '../../../platform/errors';
import { forDiff } from '../../../kube';
import { confirm, kubeCommand, requireClient, type ClusterFeature } from '../feature';

/**
 * Server-side apply of a YAML file: a server dry-run first, shown as a diff against the live
 * objects, then a modal question. Nothing skips the question (a command link could pass any file).
 */
export function applyManifestCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.apply',
    title: 'Apply Manifest to Cluster (Server-Side)',
    requiresTrust: true,
    async run(_deps, arg) {
      const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
      if (!uri) throw new UserError('Open a Kubernetes YAML manifest first.');
      const doc = await vscode.workspace.openTextDocument(uri);
      const client = requireClient(feature);
      const text = doc.getText();
      const dry = await client.applyServerSide(text, { dryRun: true });
      if (dry.length === 0) throw new UserError('The file holds no Kubernetes objects.');
      const id = Date.now().toString(36);
      const left = feature.documents.put(`/apply/${id}/live.yaml`, dry.map((r) => forDiff(r.before) || `# ${r.kind} ${r.name}: does not exist yet\n`).join('---\n'));
      const right = feature.documents.put(`/apply/${id}/dry-run.yaml`, dry.map((r) => forDiff(r.after)).join('---\n'));
      await vscode.commands.executeCommand('vscode.diff', left, right, `Live ↔ Server Dry-Run: ${vscode.workspace.asRelativePath(uri)} (${client.currentContext})`, { preview: true });
      const summary = dry.map((r) => `${r.before ? 'update' : 'create'} ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`).join('\n');
      await confirm(feature, `Apply ${dry.length} object(s) to ${client.currentContext}?`, summary, 'Apply');
      // What was dry-run is what is applied, even if the editor changed meanwhile.
      const applied = await client.applyServerSide(text, { dryRun: false });
      void vscode.window.showInformationMessage(`Applied ${applied.length} object(s) to ${client.currentContext} (field manager "modeldock").`);
      return applied.map((a) => `${a.kind}/${a.name}`);
    },
  });
}
