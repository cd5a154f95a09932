import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import type { DockerFeature } from '../feature';

export function showEngineCommand(feature: DockerFeature): CommandSpec {
  return {
    id: 'modeldock.docker.showEngine',
    title: 'Show Docker Engine',
    async run(deps) {
      const engine = await feature.session.getEngine();
      const d = engine.discovered;
      await engine.ping();
      const info = await engine.info();
      const text = `Docker ${info.serverVersion} (API ${info.apiVersion}) at ${d.address}, found via ${d.source}${d.contextName ? ` (context ${d.contextName})` : ''}.`;
      deps.log.info(text);
      void vscode.window.showInformationMessage(text);
      return { address: d.address, source: d.source, version: info.serverVersion };
    },
  };
}

export function refreshContainersCommand(feature: DockerFeature): CommandSpec {
  return {
    id: 'modeldock.docker.refresh',
    title: 'Refresh Local Containers',
    async run() {
      await feature.view.ensureSubscribed();
      feature.view.refresh();
      return undefined;
    },
  };
}
