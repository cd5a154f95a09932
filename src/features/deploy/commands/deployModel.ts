import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import { UserError } from '../../../platform/errors';
import { KubeError } from '../../../kube';
import type { DeployRequest } from '../api';
import type { DeployFeature } from '../feature';

export const DEPLOY_COMMAND = 'modeldock.deploy';

/**
 * Deploy Model: from the palette (no argument), the explorer/editor on a `k8s/` folder or manifest
 * (a Uri), or the typed API (a DeployRequest). Whatever the caller passes, the dry-run diff and
 * the modal question come before anything is applied.
 */
export function deployModelCommand(feature: DeployFeature): CommandSpec {
  return {
    id: DEPLOY_COMMAND,
    title: 'Deploy Model',
    requiresTrust: true,
    async run(_deps, arg) {
      const request: DeployRequest = arg instanceof vscode.Uri ? { target: arg } : isRequest(arg) ? arg : {};
      try {
        return await feature.deploy(request);
      } catch (err) {
        if (err instanceof KubeError) throw new UserError(err.info.message, err.info.hint, { cause: err });
        throw err;
      }
    },
  };
}

function isRequest(v: unknown): v is DeployRequest {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (o.target === undefined || o.target instanceof vscode.Uri) && (o.context === undefined || typeof o.context === 'string') && (o.namespace === undefined || typeof o.namespace === 'string');
}
