import type { CommandSpec } from '../../../platform/commands';
import { kubeCommand, type ClusterFeature } from '../feature';

export function stopPortForwardsCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.stopPortForwards',
    title: 'Stop All Port-Forwards',
    async run() {
      feature.forwards.clear();
    },
  });
}
