import type { CommandSpec } from '../../../platform/commands';
import { resolveContainer, type DockerFeature } from '../feature';

export function restartContainerCommand(feature: DockerFeature): CommandSpec {
  return {
    id: 'modeldock.docker.restart',
    title: 'Restart Container',
    requiresTrust: true,
    async run(deps, arg) {
      const c = await resolveContainer(feature, arg, 'Container to restart');
      await (await feature.session.getEngine()).restart(c.id);
      feature.session.notifyStarted(c.id);
      deps.log.info(`restarted ${c.name}`);
      return c.id;
    },
  };
}
