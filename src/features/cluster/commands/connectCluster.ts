import type { CommandSpec } from '../../../platform/commands';
import { kubeCommand, type ClusterFeature } from '../feature';

/** In an untrusted workspace the view waits for this: the user's own kubeconfig, on request. */
export function connectClusterCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.connect',
    title: 'Connect to Cluster',
    async run() {
      feature.model.connect();
    },
  });
}
