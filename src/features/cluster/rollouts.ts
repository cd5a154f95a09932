import * as vscode from 'vscode';
import { CancelledError, UserError } from '../../platform/errors';
import { forDiff, formatAge, type ClusterClient, type WorkloadInfo } from '../../kube';
import { rolloutHistory, type HistoryEntry } from '../../core/deploy/rollout';
import { checkImageAccess } from '../../docker/registry';
import { confirm, type ClusterFeature } from './feature';
import { planUndo } from './undoPlan';

/** `kubectl rollout history`: the Deployment's ReplicaSets by revision, newest first. */
export async function historyOf(client: ClusterClient, d: WorkloadInfo): Promise<HistoryEntry[]> {
  const ns = d.meta.namespace ?? 'default';
  const selector = d.rollout?.selector;
  const sets = await client.list('ReplicaSet', ns, selector ? { labelSelector: selector } : {});
  const owned = sets.filter((r) => r.meta.ownerKind === 'Deployment' && (d.meta.uid ? r.meta.ownerUid === d.meta.uid : r.meta.ownerName === d.meta.name) && r.revision > 0);
  return rolloutHistory(
    d.rollout?.revision ? { revision: d.rollout.revision } : {},
    owned.map((r) => ({
      name: r.meta.name,
      revision: r.revision,
      images: r.images,
      replicas: r.replicas,
      ...(r.changeCause ? { changeCause: r.changeCause } : {}),
      ...(r.meta.creationTimestamp ? { created: r.meta.creationTimestamp } : {}),
    })),
  );
}

export function historyItem(e: HistoryEntry, now = Date.now()): vscode.QuickPickItem & { entry: HistoryEntry } {
  return {
    label: `Revision ${e.revision}${e.current ? ' (current)' : ''}`,
    description: e.images.join(', '),
    detail: [e.changeCause ?? 'no change-cause', e.created ? `${formatAge(e.created, now)} ago` : undefined, e.replicas > 0 ? `${e.replicas} pod(s)` : undefined].filter(Boolean).join(' · '),
    entry: e,
  };
}

/**
 * Undo to `revision` after a server-side dry run shown as a diff and a modal question; the patch
 * is guarded by the resourceVersion the diff was made from.
 */
export async function undoTo(feature: ClusterFeature, client: ClusterClient, d: WorkloadInfo, revision: number): Promise<number> {
  const ns = d.meta.namespace ?? 'default';
  const name = d.meta.name;
  const plan = await planUndo(client, ns, name, revision, (ref) => checkImageAccess(ref));
  if (plan.missing.length > 0) {
    throw new UserError(
      `Revision ${revision} runs ${plan.missing.map((m) => `${m.image} (the registry answers ${m.message})`).join('; ')}: its pods would not pull the image (ImagePullBackOff).`,
      'Push that image again, or undo to another revision.',
    );
  }
  const { dry } = plan;
  const rv = plan.resourceVersion;
  const id = `undo-${Date.now().toString(36)}`;
  const left = feature.documents.put(`/apply/${id}/live.yaml`, forDiff(dry.before));
  const right = feature.documents.put(`/apply/${id}/dry-run.yaml`, forDiff(dry.after));
  await vscode.commands.executeCommand('vscode.diff', left, right, `Live ↔ Undo to revision ${revision}: ${ns}/${name} (${client.currentContext})`, { preview: true });
  const images = plan.images.join(', ');
  await confirm(feature, `Undo deployment ${ns}/${name} to revision ${revision} in ${client.currentContext}?`, `Its pods are replaced by pods of revision ${revision}${images ? ` (${images})` : ''}, following its rollout strategy.`, 'Undo');
  await client.rollbackDeployment(ns, name, revision, { dryRun: false, ...(rv ? { resourceVersion: rv } : {}) });
  feature.rolloutStarted({ context: client.currentContext, namespace: ns, name, cause: `undo to revision ${revision}` });
  void vscode.window.showInformationMessage(`Rolling ${name} back to revision ${revision}.`);
  return revision;
}

export function requireDeployment(d: WorkloadInfo): void {
  if (d.kind !== 'Deployment') throw new UserError('Rollouts apply to Deployments.');
}

export async function pickRevision(history: readonly HistoryEntry[], placeHolder: string): Promise<HistoryEntry> {
  if (history.length === 0) throw new UserError('This Deployment has no recorded revisions.', 'Revisions are its ReplicaSets; none are left (revisionHistoryLimit 0?).');
  const items = history.map((e) => historyItem(e));
  const previous = history.find((e) => !e.current);
  const pick = vscode.window.createQuickPick<(typeof items)[number]>();
  pick.items = items;
  pick.placeholder = placeHolder;
  if (previous) pick.activeItems = items.filter((i) => i.entry === previous);
  const chosen = await new Promise<(typeof items)[number] | undefined>((resolve) => {
    pick.onDidAccept(() => resolve(pick.selectedItems[0] ?? pick.activeItems[0]));
    pick.onDidHide(() => resolve(undefined));
    pick.show();
  });
  pick.dispose();
  if (!chosen) throw new CancelledError();
  return chosen.entry;
}
