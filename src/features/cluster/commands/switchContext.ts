import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import { CancelledError } from '../../../platform/errors';
import { writeCurrentContext } from '../../../kube';
import { ACTIVE_CONTEXT_KEY, kubeCommand, nodeArg, type ClusterFeature } from '../feature';

export function switchContextCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.switchContext',
    title: 'Switch Kubernetes Context',
    async run(deps, arg) {
      const { model } = feature;
      let name: string | undefined = arg ? nodeArg(feature, arg, 'context').info.name : undefined;
      if (!name) {
        const picked = await vscode.window.showQuickPick(
          model.contexts().map((c) => ({ label: c.name, description: c.current ? 'current' : (c.server ?? ''), detail: `cluster ${c.cluster} · user ${c.user}` })),
          { placeHolder: 'Kubernetes context for ModelDock' },
        );
        if (!picked) throw new CancelledError();
        name = picked.label;
      }
      model.switchContext(name);
      await feature.globalState.update(ACTIVE_CONTEXT_KEY, name);
      if (feature.settings().writeCurrentContext && model.loaded) {
        const file = await writeCurrentContext(model.loaded.found, name);
        if (file) deps.log.info(`kube: wrote current-context ${name} to ${file}`);
      }
      return name;
    },
  });
}
