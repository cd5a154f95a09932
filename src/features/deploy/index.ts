// Deploy Model: from the generated manifests to a running, reachable model on a cluster. Build
// (the Docker feature's typed API), push with the digest from the registry, server-side apply of
// the manifests pinned to it after a dry-run diff the user confirms, the rollout followed live in
// the Deploy view, and a smoke test through a port-forward. Nothing runs at activation: the first
// command connects.
import * as vscode from 'vscode';
import { registerCommands, runCommand } from '../../platform/commands';
import type { Deps } from '../../platform/deps';
import type { ClusterApi, ClusterServices } from '../cluster';
import type { DockerApi } from '../docker/api';
import type { AppRoute } from '../../core/deploy/smoke';
import type { DeployApi } from './api';
import { DEPLOY_COMMANDS } from './commands';
import { DeployFeature } from './feature';
import type { RolloutSnapshot } from './follower';
import type { DeployOutcome } from './pipeline';
import type { SmokeResult } from './smokeRunner';

export type { DeployApi, DeployRequest } from './api';
export { DEPLOY_VIEW_ID, rows, type Row } from './view';
export { DeploySession, type DeployOutcome } from './pipeline';

export interface DeployFeatureDeps {
  readonly docker: DockerApi;
  readonly cluster: ClusterServices;
  readonly clusterApi: ClusterApi;
  /** Detection's result for a project folder, when it ran (the app's routes for the smoke test). */
  readonly detection?: (projectDir: string) => { readonly routes?: readonly AppRoute[] } | undefined;
}

export function register(context: vscode.ExtensionContext, deps: Deps, others: DeployFeatureDeps): DeployApi {
  const feature = new DeployFeature(deps, context.workspaceState, others.docker, others.cluster, others.clusterApi, (dir) => others.detection?.(dir)?.routes);
  context.subscriptions.push(feature);
  const commands = DEPLOY_COMMANDS.map((make) => make(feature));
  registerCommands(context, deps, commands);
  const byId = (id: string) => commands.find((c) => c.id === id)!;
  return {
    deploy: (request) => runCommand(byId('modeldock.deploy'), deps, [request ?? {}]) as Promise<DeployOutcome | undefined>,
    smokeTest: (session) => runCommand(byId('modeldock.deploy.smokeTest'), deps, session ? [session] : []) as Promise<SmokeResult | undefined>,
    follow: async (target) => {
      try {
        return await feature.follow(target);
      } catch (err) {
        deps.log.warn(`follow ${target.namespace}/${target.name}: ${err instanceof Error ? err.message : String(err)}`);
        return undefined as RolloutSnapshot | undefined;
      }
    },
    get sessions() {
      return feature.sessions;
    },
    onDidChange: feature.onDidChange,
  };
}
