import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import { UserError } from '../../../platform/errors';
import { kubeCommand, nodeArg, requireClient, type ClusterFeature } from '../feature';
import { requireDeployment } from '../rollouts';

/** `kubectl rollout resume`: what changed while paused rolls out now. */
export function rolloutResumeCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.rolloutResume',
    title: 'Resume Rollout',
    requiresTrust: true,
    async run(_deps, arg) {
      const n = nodeArg(feature, arg, 'workload');
      requireDeployment(n.info);
      if (n.info.rollout && !n.info.rollout.paused) throw new UserError(`${n.info.meta.name} is not paused.`);
      const client = requireClient(feature);
      const ns = n.info.meta.namespace ?? 'default';
      await client.setDeploymentPaused(ns, n.info.meta.name, false);
      feature.rolloutStarted({ context: client.currentContext, namespace: ns, name: n.info.meta.name, cause: 'resume' });
      void vscode.window.showInformationMessage(`Resumed the rollout of ${n.info.meta.name}.`);
      return false;
    },
  });
}
