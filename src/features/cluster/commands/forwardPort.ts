import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import { CancelledError } from '../../../platform/errors';
import { kubeCommand, nodeArg, requireClient, type ClusterFeature } from '../feature';

const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 65536;

/**
 * Forwards 127.0.0.1:<local> to a pod port. The ports may come as arguments (automation from
 * another extension, which must hold a node this tree handed out); otherwise the user is asked.
 */
export function forwardPortCommand(feature: ClusterFeature): CommandSpec {
  return kubeCommand({
    id: 'modeldock.kube.portForward',
    title: 'Port-Forward…',
    requiresTrust: true,
    async run(_deps, arg, remoteArg, localArg) {
      const n = nodeArg(feature, arg, 'pod', 'container');
      const pod = n.type === 'pod' ? n.info : n.pod;
      const ports = (n.type === 'container' ? [n.info] : pod.containers).flatMap((c) => c.ports);
      let remote = isPort(remoteArg) ? remoteArg : undefined;
      if (remote === undefined) {
        const text = await vscode.window.showInputBox({
          prompt: `Pod port to forward from ${pod.meta.name}`,
          value: String(ports[0]?.containerPort ?? 8080),
          validateInput: (v) => (/^\d{1,5}$/.test(v.trim()) && Number(v) > 0 && Number(v) < 65536 ? undefined : 'A port number'),
        });
        if (text === undefined) throw new CancelledError();
        remote = Number.parseInt(text, 10);
      }
      const handle = await requireClient(feature).portForward(
        { kind: 'Pod', namespace: pod.meta.namespace ?? 'default', name: pod.meta.name, port: remote },
        isPort(localArg) ? localArg : remote,
      );
      feature.forwards.add(handle);
      void vscode.window.showInformationMessage(`Forwarding 127.0.0.1:${handle.localPort} → ${handle.target}:${handle.remotePort}`, 'Open in Browser', 'Stop').then(async (choice) => {
        if (choice === 'Open in Browser') await vscode.env.openExternal(vscode.Uri.parse(`http://127.0.0.1:${handle.localPort}`));
        if (choice === 'Stop') handle.dispose();
      });
      return handle.localPort;
    },
  });
}
