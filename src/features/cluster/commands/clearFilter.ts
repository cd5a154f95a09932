import type { CommandSpec } from '../../../platform/commands';
import { kubeCommand, type ClusterFeature } from '../feature';

export function clearFilterCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.clearFilter',
    title: 'Clear Namespace Filter',
    async run() {
      feature.model.setFilter('');
    },
  });
}
