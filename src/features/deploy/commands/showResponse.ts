import type { CommandSpec } from '../../../platform/commands';
import type { DeployFeature } from '../feature';
import { sessionArg } from './smokeTest';

/** The smoke test's full answer (request, status, time, pretty-printed body) in a read-only editor. */
export function showResponseCommand(feature: DeployFeature): CommandSpec {
  return {
    id: 'modeldock.deploy.showResponse',
    title: 'Show Smoke Test Response',
    async run(_deps, arg) {
      await feature.showResponse(sessionArg(feature, arg) ?? feature.sessions.find((s) => s.smoke));
    },
  };
}
