import type { CommandSpec } from '../../../platform/commands';
import { kubeCommand, nodeArg, requireClient, type ClusterFeature } from '../feature';
import type { PodLogSession } from '../logs';

/** Follows a pod's (or one container's) logs across restarts; returns the session. */
export function followLogsCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.followLogs',
    title: 'Follow Logs',
    async run(_deps, arg): Promise<PodLogSession> {
      const n = nodeArg(feature, arg, 'pod', 'container');
      const pod = n.type === 'pod' ? n.info : n.pod;
      const s = feature.settings();
      return feature.logs.open(requireClient(feature), {
        namespace: pod.meta.namespace ?? 'default',
        pod: pod.meta.name,
        ...(n.type === 'container' ? { container: n.info.name } : {}),
        tailLines: s.logTailLines,
        timestamps: s.logTimestamps,
      });
    },
  });
}
