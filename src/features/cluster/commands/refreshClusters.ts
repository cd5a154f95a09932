import type { CommandSpec } from '../../../platform/commands';
import { kubeCommand, type ClusterFeature } from '../feature';

export function refreshClustersCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.refresh',
    title: 'Refresh Clusters',
    async run() {
      feature.model.refresh();
    },
  });
}
