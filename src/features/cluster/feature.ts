import * as vscode from 'vscode';
import type { CommandSpec } from '../../platform/commands';
import type { Prompts } from '../../platform/prompts';
import { CancelledError, UserError } from '../../platform/errors';
import { KubeError, type ClusterClient, type ClusterTreeModel, type KubeContextInfo, type NodeOf, type PortForwardHandle, type TreeNode } from '../../kube';
import type { KubeDocumentProvider } from './describe';
import type { PodLogs } from './logs';
import { readKubeSettings, type KubeSettings } from './settings';

export const VIEW_ID = 'modeldock.views.cluster';
export const ACTIVE_CONTEXT_KEY = 'modeldock.kube.activeContext';

/** Port-forwards of the active context; they go with it on a context switch. */
export class PortForwards implements vscode.Disposable {
  private handles: PortForwardHandle[] = [];
  add(h: PortForwardHandle): void {
    this.handles.push(h);
  }
  list(): readonly PortForwardHandle[] {
    return this.handles;
  }
  /** Stops them all. */
  clear(): void {
    for (const h of this.handles) h.dispose();
    this.handles = [];
  }
  /** The client they belonged to was disposed (context switch): forget them. */
  forget(): void {
    this.handles = [];
  }
  dispose(): void {
    this.clear();
  }
}

/** A modal question a cluster command asks before it changes the cluster. */
export interface Question {
  readonly message: string;
  readonly detail: string;
  /** The button that goes ahead ("Delete", "Apply", …). */
  readonly action: string;
}

/**
 * The modal confirmations of the cluster commands, through the one prompt service (which the one
 * test API, ModelDockApi.test.answerPrompts, can answer; command arguments never can, because a
 * command link could pass them).
 */
export class Confirmations {
  constructor(private readonly prompts: Prompts) {}

  /** Resolves when the answer is to go ahead; throws CancelledError otherwise. */
  async ask(q: Question): Promise<void> {
    const answer = await this.prompts.modal({ severity: 'warning', message: q.message, ...(q.detail ? { detail: q.detail } : {}), buttons: [q.action] });
    if (answer !== q.action) throw new CancelledError();
  }
}

/** What every cluster command shares; passed in, never reached for globally. */
export interface ClusterFeature {
  readonly model: ClusterTreeModel;
  readonly view: vscode.TreeView<TreeNode>;
  readonly logs: PodLogs;
  readonly documents: KubeDocumentProvider;
  readonly forwards: PortForwards;
  readonly confirmations: Confirmations;
  /** Where ModelDock keeps its own current context (never the workspace's). */
  readonly globalState: vscode.Memento;
  settings(): KubeSettings;
  /** A command started a rollout (undo, resume): whoever shows rollouts may follow it. */
  rolloutStarted(r: RolloutStarted): void;
}

export interface RolloutStarted {
  readonly context: string;
  readonly namespace: string;
  readonly name: string;
  /** What started it, for the view: `undo to revision 2`, `resume`. */
  readonly cause: string;
}

/**
 * What the Clusters feature offers other features (Deploy): clients for any context of the
 * user's kubeconfig under the same loading and trust rules as the view, the diff documents, and
 * the rollouts its commands start. Not part of ModelDockApi.
 */
export interface ClusterServices {
  contexts(): Promise<readonly KubeContextInfo[]>;
  connect(context: string): Promise<ClusterClient>;
  readonly documents: KubeDocumentProvider;
  readonly onDidStartRollout: vscode.Event<RolloutStarted>;
}

export function currentSettings(): KubeSettings {
  return readKubeSettings(vscode.workspace.getConfiguration('modeldock'));
}

/**
 * The tree node a command was invoked on. Only nodes the tree itself handed out count: a command
 * link or another extension can pass any JSON that merely looks like a pod.
 */
export function nodeArg<T extends TreeNode['type']>(feature: ClusterFeature, arg: unknown, ...types: T[]): NodeOf<T> {
  if (!feature.model.owns(arg) || !types.includes(arg.type as T)) {
    throw new UserError('Run this command from an item in the Clusters view.');
  }
  return arg as NodeOf<T>;
}

export function requireClient(feature: ClusterFeature): ClusterClient {
  const c = feature.model.client;
  if (!c) throw new UserError('No cluster is connected.', 'Expand the current context in the Clusters view first.');
  return c;
}

/** A modal question; resolves when the answer is `action`, throws CancelledError otherwise. */
export function confirm(feature: ClusterFeature, message: string, detail: string, action: string): Promise<void> {
  return feature.confirmations.ask({ message, detail, action });
}

/** A cluster command: KubeErrors reach the user as their message and hint, like any UserError. */
export function kubeCommand(spec: CommandSpec): CommandSpec {
  return {
    ...spec,
    async run(deps, ...args) {
      try {
        return await spec.run(deps, ...args);
      } catch (err) {
        if (err instanceof KubeError) throw new UserError(err.info.message, err.info.hint, { cause: err });
        throw err;
      }
    },
  };
}
