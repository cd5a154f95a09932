import type { CommandSpec } from '../../../platform/commands';
import { resolveContainer, type DockerFeature } from '../feature';

export function stopContainerCommand(feature: DockerFeature): CommandSpec {
  return {
    id: 'modeldock.docker.stop',
    title: 'Stop Container',
    requiresTrust: true,
    async run(deps, arg) {
      const c = await resolveContainer(feature, arg, 'Container to stop', (x) => x.state === 'running');
      await (await feature.session.getEngine()).stop(c.id);
      deps.log.info(`stopped ${c.name}`);
      return c.id;
    },
  };
}
