import type { CommandSpec } from '../../../platform/commands';
import { confirm, kubeCommand, nodeArg, requireClient, type ClusterFeature } from '../feature';

/** Always asks first: no argument skips the question (a command link could pass one). */
export function deletePodCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.deletePod',
    title: 'Delete Pod',
    requiresTrust: true,
    async run(_deps, arg) {
      const n = nodeArg(feature, arg, 'pod');
      const client = requireClient(feature);
      const ns = n.info.meta.namespace ?? 'default';
      const owner = n.info.meta.ownerKind ? `Its ${n.info.meta.ownerKind} will replace it.` : 'It has no controller: it will not come back.';
      await confirm(feature, `Delete pod ${ns}/${n.info.meta.name} in ${client.currentContext}?`, owner, 'Delete');
      await client.deletePod(ns, n.info.meta.name);
    },
  });
}
