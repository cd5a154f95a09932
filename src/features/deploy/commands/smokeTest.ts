import type { CommandSpec } from '../../../platform/commands';
import { UserError } from '../../../platform/errors';
import { KubeError } from '../../../kube';
import { DeploySession } from '../pipeline';
import type { DeployFeature } from '../feature';
import type { Row } from '../view';

/** Port-forward to a Ready pod of the deployed model and send the sample request. */
export function smokeTestCommand(feature: DeployFeature): CommandSpec {
  return {
    id: 'modeldock.deploy.smokeTest',
    title: 'Smoke Test Deployed Model',
    requiresTrust: true,
    async run(_deps, arg) {
      const session = sessionArg(feature, arg);
      try {
        return await feature.smokeTest(session);
      } catch (err) {
        if (err instanceof KubeError) throw new UserError(err.info.message, err.info.hint, { cause: err });
        throw err;
      }
    },
  };
}

/** A session of this feature (passed directly, or through a row of the Deploy view); never a look-alike. */
export function sessionArg(feature: DeployFeature, arg: unknown): DeploySession | undefined {
  const s = arg instanceof DeploySession ? arg : (arg as Row | undefined)?.session;
  return s && feature.sessions.includes(s) ? s : undefined;
}
