import type { CommandSpec } from '../../../platform/commands';
import type { DeployFeature } from '../feature';

export function clearFinishedCommand(feature: DeployFeature): CommandSpec {
  return {
    id: 'modeldock.deploy.clear',
    title: 'Clear Finished Deploys',
    async run() {
      feature.clear();
    },
  };
}
