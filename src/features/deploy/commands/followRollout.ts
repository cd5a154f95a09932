import type { CommandSpec } from '../../../platform/commands';
import { UserError } from '../../../platform/errors';
import type { DeployFeature } from '../feature';

/** Follow a Deployment's rollout (from the Clusters view) in the Deploy view. */
export function followRolloutCommand(feature: DeployFeature): CommandSpec {
  return {
    id: 'modeldock.deploy.follow',
    title: 'Follow Rollout',
    async run(_deps, arg) {
      const model = feature.clusterApi.model;
      // Only a node the Clusters tree handed out: a link can pass anything that looks like one.
      if (!model.owns(arg) || arg.type !== 'workload' || arg.info.kind !== 'Deployment') throw new UserError('Run this command on a Deployment in the Clusters view.');
      const context = model.activeContext;
      if (!context) throw new UserError('No cluster is connected.');
      return feature.follow({ context, namespace: arg.info.meta.namespace ?? 'default', name: arg.info.meta.name });
    },
  };
}
