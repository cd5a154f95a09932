import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import { UserError } from '../../../platform/errors';
import { registryAuthHeader, registryHostOf, resolveCredentials } from '../../../docker/credentials';
import { parseImageRef } from '../../../docker/registry';
import type { PushResult } from '../../../docker/types';
import type { PushRequest } from '../api';
import type { DockerFeature } from '../feature';
import { OutputTerminal } from '../terminal';

/**
 * Tag + push, for the typed DockerApi only (Deploy): not a contributed command, so no link or
 * other extension can push an image of its choosing to a registry of its choosing with the
 * user's credentials. The credentials are Docker's own (the user's config and helpers); the log
 * says where they came from, never what they are. The digest is the one the registry reported.
 */
export function pushImageCommand(feature: DockerFeature): CommandSpec {
  return {
    id: 'modeldock.docker.push',
    title: 'Push Image',
    requiresTrust: true,
    async run(deps, arg): Promise<PushResult> {
      const req = (arg ?? {}) as Partial<PushRequest>;
      if (typeof req.image !== 'string' || typeof req.target !== 'string' || !parseImageRef(req.target) || !parseImageRef(req.image)) {
        throw new UserError(`Cannot push ${String(req.image)} as ${String(req.target)}: not image references.`);
      }
      const { image, target } = req as PushRequest;
      const host = registryHostOf(target);
      const creds = await resolveCredentials(host);
      deps.log.info(`push ${target}: credentials for ${creds.host} from ${creds.source}${creds.helper ? ` (${creds.helper})` : ''}${creds.credentials ? '' : ' (none: anonymous push)'}`);
      if (creds.problem) deps.log.warn(`push ${target}: ${creds.problem}`);
      const engine = await feature.session.getEngine();
      await engine.tagImage(image, target);
      const terminal = new OutputTerminal(`Push ${target}`);
      terminal.show(true);
      terminal.write(`\x1b[1mPushing ${target}\x1b[0m (${image}) via ${engine.discovered.address}\n`);
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Pushing ${target}`, cancellable: true }, async (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        const layers = new Map<string, { current: number; total: number }>();
        try {
          return await engine.pushImage({
            ref: target,
            registryAuth: registryAuthHeader(creds.host, creds.credentials),
            signal: controller.signal,
            onEvent: (e) => {
              if (e.type === 'progress') {
                layers.set(e.layer, { current: e.current, total: e.total });
                const done = [...layers.values()].reduce((n, l) => n + l.current, 0);
                const total = [...layers.values()].reduce((n, l) => n + l.total, 0);
                progress.report({ message: `${Math.round(done / 1024 / 1024)} of ${Math.round(total / 1024 / 1024)} MiB` });
              } else if (e.type === 'status') terminal.write(`${e.layer ? `${e.layer}: ` : ''}${e.text}\n`);
              else if (e.type === 'error') terminal.write(`\x1b[31m${e.message}\x1b[0m\n`);
              else terminal.write(`\x1b[32mdigest ${e.digest}\x1b[0m\n`);
            },
          });
        } catch (err) {
          terminal.write(`\n\x1b[31m${err instanceof Error ? err.message : String(err)}\x1b[0m\n`);
          throw err;
        } finally {
          sub.dispose();
        }
      });
      deps.log.info(`pushed ${result.pinned} in ${(result.durationMs / 1000).toFixed(1)} s`);
      return result;
    },
  };
}
