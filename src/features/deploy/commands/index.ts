import type { CommandSpec } from '../../../platform/commands';
import type { DeployFeature } from '../feature';
import { clearFinishedCommand } from './clearFinished';
import { deployModelCommand } from './deployModel';
import { followRolloutCommand } from './followRollout';
import { showResponseCommand } from './showResponse';
import { smokeTestCommand } from './smokeTest';
import { stopForwardCommand } from './stopForward';

/** Every deploy command, one file each; the one table the feature registers. */
export const DEPLOY_COMMANDS: readonly ((feature: DeployFeature) => CommandSpec)[] = [
  deployModelCommand,
  smokeTestCommand,
  showResponseCommand,
  stopForwardCommand,
  followRolloutCommand,
  clearFinishedCommand,
];
