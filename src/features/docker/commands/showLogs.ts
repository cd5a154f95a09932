import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import type { Deps } from '../../../platform/deps';
import type { DockerEngine } from '../../../docker/types';
import { resolveContainer, type DockerFeature } from '../feature';
import { OutputTerminal } from '../terminal';

/**
 * Opens (or re-shows) a terminal following a container's logs; it keeps following across restarts
 * until the user closes it or the connection changes.
 */
export function followInTerminal(feature: DockerFeature, deps: Deps, engine: DockerEngine, id: string, name: string): void {
  const existing = feature.logTerminals.get(id);
  if (existing) {
    existing.show(true);
    return;
  }
  const out = new OutputTerminal(`Logs ${name}`);
  const controller = new AbortController();
  const stop = { dispose: () => controller.abort() };
  feature.session.own(stop);
  feature.logTerminals.set(id, out.terminal);
  out.onDidClose(() => controller.abort());
  out.show(true);
  void engine
    .followLogs(id, {
      tail: 500,
      signal: controller.signal,
      onChunk: (c) => out.write(c.stream === 'stderr' ? `\x1b[31m${c.text}\x1b[0m` : c.stream === 'system' ? `\x1b[2m${c.text}\x1b[0m` : c.text),
    })
    .catch((err: unknown) => {
      deps.log.warn(`log follow for ${name} ended: ${(err as Error).message}`);
      out.write(`\n\x1b[33m[log follow ended: ${(err as Error).message}]\x1b[0m\n`);
    })
    .finally(() => {
      feature.logTerminals.delete(id);
      out.write('\n\x1b[2m[no longer following]\x1b[0m\n');
    });
}

export function showLogsCommand(feature: DockerFeature): CommandSpec {
  return {
    id: 'modeldock.docker.showLogs',
    title: 'Show Container Logs',
    async run(deps, arg) {
      const c = await resolveContainer(feature, arg, 'Container to follow');
      const engine = await feature.session.getEngine();
      followInTerminal(feature, deps, engine, c.id, c.name);
      return c.id;
    },
  };
}

export function openPortCommand(): CommandSpec {
  return {
    id: 'modeldock.docker.openPort',
    title: 'Open in Browser',
    async run(_deps, arg) {
      if (typeof arg !== 'string' || !/^http:\/\/[^/]+:\d+/.test(arg)) return undefined;
      return vscode.env.openExternal(vscode.Uri.parse(arg));
    },
  };
}
