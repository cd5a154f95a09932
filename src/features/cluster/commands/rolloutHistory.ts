import type { CommandSpec } from '../../../platform/commands';
import { UserError } from '../../../platform/errors';
import { kubeCommand, nodeArg, requireClient, type ClusterFeature } from '../feature';
import { historyOf, pickRevision, requireDeployment, undoTo } from '../rollouts';

/**
 * `kubectl rollout history`: revisions with image, change-cause and age; picking an older one
 * offers the undo to it (dry-run diff and question first).
 */
export function rolloutHistoryCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.rolloutHistory',
    title: 'Rollout History…',
    async run(_deps, arg) {
      const n = nodeArg(feature, arg, 'workload');
      requireDeployment(n.info);
      const client = requireClient(feature);
      const history = await historyOf(client, n.info);
      const chosen = await pickRevision(history, `Rollout history of ${n.info.meta.name}: pick a revision to undo to`);
      if (chosen.current) throw new UserError(`Revision ${chosen.revision} is the current one.`);
      return undoTo(feature, client, n.info, chosen.revision);
    },
  });
}
