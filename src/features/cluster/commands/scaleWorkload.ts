import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import { CancelledError, UserError } from '../../../platform/errors';
import { kubeCommand, nodeArg, requireClient, type ClusterFeature } from '../feature';

/** Asks for the replica count (prefilled with the current one) and patches the scale subresource. */
export function scaleWorkloadCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.scale',
    title: 'Scale…',
    requiresTrust: true,
    async run(_deps, arg) {
      const n = nodeArg(feature, arg, 'workload');
      if (n.info.kind !== 'Deployment' && n.info.kind !== 'StatefulSet') throw new UserError('Only Deployments and StatefulSets scale.');
      const text = await vscode.window.showInputBox({
        prompt: `Replicas for ${n.info.kind} ${n.info.meta.name} (${requireClient(feature).currentContext})`,
        value: String(n.info.desired ?? 1),
        validateInput: (v) => (/^\d{1,6}$/.test(v.trim()) ? undefined : 'A whole number ≥ 0'),
      });
      if (text === undefined) throw new CancelledError();
      const replicas = Number.parseInt(text.trim(), 10);
      await requireClient(feature).scale(n.info.kind, n.info.meta.namespace ?? 'default', n.info.meta.name, replicas);
      return replicas;
    },
  });
}
