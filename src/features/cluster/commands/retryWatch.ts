import type { CommandSpec } from '../../../platform/commands';
import { kubeCommand, type ClusterFeature } from '../feature';

/** Retry on an error node restarts what failed behind it; from the palette, everything. */
export function retryWatchCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.retry',
    title: 'Retry',
    async run(_deps, arg) {
      feature.model.retry(feature.model.owns(arg) ? arg : undefined);
    },
  });
}
