import type { CommandSpec } from '../../../platform/commands';
import { CancelledError } from '../../../platform/errors';
import { resolveContainer, type DockerFeature } from '../feature';

export function removeContainerCommand(feature: DockerFeature): CommandSpec {
  return {
    id: 'modeldock.docker.remove',
    title: 'Remove Container',
    requiresTrust: true,
    async run(deps, arg) {
      const c = await resolveContainer(feature, arg, 'Container to remove');
      if (c.state === 'running') {
        const ok = await deps.prompts.modal({ severity: 'warning', message: `${c.name} is running. Stop and remove it?`, buttons: ['Remove'] });
        if (ok !== 'Remove') throw new CancelledError();
      }
      await (await feature.session.getEngine()).remove(c.id, { force: true });
      deps.log.info(`removed ${c.name}`);
      return c.id;
    },
  };
}
