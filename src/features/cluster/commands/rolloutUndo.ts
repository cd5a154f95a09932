import type { CommandSpec } from '../../../platform/commands';
import { UserError } from '../../../platform/errors';
import { kubeCommand, nodeArg, requireClient, type ClusterFeature } from '../feature';
import { historyOf, pickRevision, requireDeployment, undoTo } from '../rollouts';

/**
 * `kubectl rollout undo [--to-revision]`. The revision may come as an argument (automation that
 * holds a node of this tree); otherwise the user picks one, the previous preselected. Either way
 * the dry-run diff and the modal question come first.
 */
export function rolloutUndoCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.rolloutUndo',
    title: 'Undo Rollout…',
    requiresTrust: true,
    async run(_deps, arg, revisionArg) {
      const n = nodeArg(feature, arg, 'workload');
      requireDeployment(n.info);
      const client = requireClient(feature);
      let revision = typeof revisionArg === 'number' && Number.isInteger(revisionArg) && revisionArg > 0 ? revisionArg : undefined;
      if (revision === undefined) {
        const history = await historyOf(client, n.info);
        if (!history.some((e) => !e.current)) throw new UserError(`${n.info.meta.name} has no earlier revision to undo to.`);
        revision = (await pickRevision(history, `Undo ${n.info.meta.name} to which revision?`)).revision;
      }
      if (String(revision) === n.info.rollout?.revision) throw new UserError(`Revision ${revision} is the current one.`);
      return undoTo(feature, client, n.info, revision);
    },
  });
}
