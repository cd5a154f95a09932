import type { CommandSpec } from '../../platform/commands';

export const showLog: CommandSpec = {
  id: 'modeldock.log.show',
  title: 'Show Log',
  async run(deps) {
    deps.log.show(false);
  },
};
