import type { CommandSpec } from '../../../platform/commands';
import { UserError } from '../../../platform/errors';
import { kubeCommand, nodeArg, requireClient, type ClusterFeature } from '../feature';
import type { PodLogSession } from '../logs';

/** The logs of the last crashed run: the container given, or the pod's most restarted one. */
export function showPreviousLogsCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.previousLogs',
    title: 'Show Previous Logs (Last Crashed Run)',
    async run(_deps, arg): Promise<PodLogSession> {
      const n = nodeArg(feature, arg, 'pod', 'container');
      const pod = n.type === 'pod' ? n.info : n.pod;
      const container =
        n.type === 'container' ? n.info.name : ([...pod.containers].sort((a, b) => b.restartCount - a.restartCount)[0]?.name ?? pod.containers[0]?.name);
      if (!container) throw new UserError(`Pod ${pod.meta.name} has no containers.`);
      return feature.logs.open(requireClient(feature), {
        namespace: pod.meta.namespace ?? 'default',
        pod: pod.meta.name,
        container,
        previous: true,
        timestamps: feature.settings().logTimestamps,
      });
    },
  });
}
