import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import { UserError } from '../../../platform/errors';
import { kubeCommand, nodeArg, requireClient, type ClusterFeature } from '../feature';
import { requireDeployment } from '../rollouts';

/** `kubectl rollout pause`: template changes wait (no new ReplicaSet) until it is resumed. */
export function rolloutPauseCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.rolloutPause',
    title: 'Pause Rollout',
    requiresTrust: true,
    async run(_deps, arg) {
      const n = nodeArg(feature, arg, 'workload');
      requireDeployment(n.info);
      if (n.info.rollout?.paused) throw new UserError(`${n.info.meta.name} is already paused.`);
      const client = requireClient(feature);
      await client.setDeploymentPaused(n.info.meta.namespace ?? 'default', n.info.meta.name, true);
      void vscode.window.showInformationMessage(`Paused the rollout of ${n.info.meta.name}: changes to its template wait until Resume.`);
      return true;
    },
  });
}
