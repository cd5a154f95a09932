import type { CommandSpec } from '../../../platform/commands';
import type { DeployFeature } from '../feature';
import { sessionArg } from './smokeTest';

/** Closes the port-forward the smoke test left open. */
export function stopForwardCommand(feature: DeployFeature): CommandSpec {
  return {
    id: 'modeldock.deploy.stopForward',
    title: 'Stop Smoke Test Port-Forward',
    async run(_deps, arg) {
      const s = sessionArg(feature, arg);
      for (const x of s ? [s] : feature.sessions) {
        x.forward?.dispose();
        x.forward = undefined;
        x.changed();
      }
    },
  };
}
