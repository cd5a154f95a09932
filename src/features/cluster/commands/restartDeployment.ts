import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import { UserError } from '../../../platform/errors';
import { confirm, kubeCommand, nodeArg, requireClient, type ClusterFeature } from '../feature';

/** `kubectl rollout restart`, after a question: it replaces every pod of the deployment. */
export function restartDeploymentCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.restartDeployment',
    title: 'Restart Deployment (Rollout Restart)',
    requiresTrust: true,
    async run(_deps, arg) {
      const n = nodeArg(feature, arg, 'workload');
      if (n.info.kind !== 'Deployment') throw new UserError('Rollout restart applies to Deployments.');
      const client = requireClient(feature);
      const ns = n.info.meta.namespace ?? 'default';
      await confirm(feature, `Restart deployment ${ns}/${n.info.meta.name} in ${client.currentContext}?`, 'Its pods are replaced by new ones, following its rollout strategy.', 'Restart');
      await client.restartDeployment(ns, n.info.meta.name);
      void vscode.window.showInformationMessage(`Restarting deployment ${n.info.meta.name}.`);
    },
  });
}
