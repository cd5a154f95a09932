import { KubeError } from './errors';
import { createTransport, type Transport } from './http';
import { kubeconfigText, listContexts, refusalFor, type LoadedKubeconfig, type RawKubeconfig } from './kubeconfig';
import { createApplyApi, parseManifests } from './protocols/apply';
import { ownedSet, type ClientCore } from './protocols/core';
import { createLogsApi } from './protocols/logs';
import { createPortForwardApi } from './protocols/portForward';
import { createResourceApi, FIELD_MANAGER } from './protocols/resources';
import { resolveTuning, type TuningOverrides } from './tuning';
import type { ClusterClient, ListOptions, NamespacedKind, WatchOptions } from './types';

export { FIELD_MANAGER, parseManifests };

export interface ClusterClientOptions {
  readonly kubeconfig: RawKubeconfig | LoadedKubeconfig;
  /** The context to talk to; defaults to the kubeconfig's current-context. */
  readonly context?: string;
  /** Diagnostics sink; messages never contain credentials (we never format headers). */
  readonly trace?: (message: string) => void;
  readonly watchTimeoutSeconds?: number;
  /** Timeouts, size limits and the reconnect policy; the defaults are what users get. */
  readonly tuning?: TuningOverrides;
}

function rawConfig(k: RawKubeconfig | LoadedKubeconfig): RawKubeconfig {
  return 'config' in k ? k.config : k;
}

/**
 * One client for one context: the protocols (resources, logs, apply, port-forward, under
 * ./protocols) over one transport. Loads @kubernetes/client-node (ESM-only, about 4 MB bundled) on
 * first use: ModelDock users who never open the Clusters view never pay for it. Refuses, before
 * loading it, a context whose credentials ModelDock must not use (see refusalFor).
 */
export async function createClusterClient(options: ClusterClientOptions): Promise<ClusterClient> {
  const config = rawConfig(options.kubeconfig);
  const contextName = options.context ?? config['current-context'] ?? config.contexts[0]?.name;
  if (!contextName) throw new KubeError({ kind: 'no-kubeconfig', message: 'The kubeconfig has no contexts.' });
  if (!config.contexts.some((c) => c.name === contextName)) {
    throw new KubeError({ kind: 'no-kubeconfig', message: `Context "${contextName}" is not in the kubeconfig.` });
  }
  // Before client-node sees the config: it would run the credential plugin on the first request.
  const refusal = refusalFor(options.kubeconfig, contextName);
  if (refusal) throw new KubeError({ kind: 'untrusted-config', message: refusal.message, hint: refusal.hint });
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromString(kubeconfigText(config, contextName));
  } catch (err) {
    throw new KubeError({ kind: 'no-kubeconfig', message: `The kubeconfig could not be loaded: ${err instanceof Error ? err.message : String(err)}` });
  }
  const tuning = resolveTuning(options.tuning);
  const transport = createTransport(kc, tuning);
  const ctx = listContexts(config, contextName).find((c) => c.name === contextName);
  const owned = ownedSet();
  const core: ClientCore = {
    transport,
    tuning,
    defaultNamespace: ctx?.namespace ?? 'default',
    watchTimeoutSeconds: options.watchTimeoutSeconds ?? 300,
    trace: options.trace ?? (() => undefined),
    track: owned.track,
  };
  const resources = createResourceApi(core);
  const { logs } = createLogsApi(core);
  const { applyServerSide } = createApplyApi(core, resources);
  const { portForward } = createPortForwardApi(core, resources, kc, () => new k8s.PortForward(kc, true));

  return {
    currentContext: contextName,
    defaultNamespace: core.defaultNamespace,
    contexts: () => listContexts(config, contextName),
    listNamespaces: () => resources.list('Namespace', undefined),
    list: <K extends NamespacedKind>(kind: K, namespace: string, opts?: ListOptions) => resources.list(kind, namespace, opts),
    watchNamespaces: (opts?: WatchOptions) => resources.watch('Namespace', undefined, opts),
    watch: <K extends NamespacedKind>(kind: K, namespace: string, opts?: WatchOptions) => resources.watch(kind, namespace, opts),
    listNodes: (opts?: ListOptions) => resources.list('Node', undefined, opts),
    watchNodes: (opts?: WatchOptions) => resources.watch('Node', undefined, opts),
    listAllPods: (opts?: ListOptions) => resources.list('Pod', undefined, opts),
    watchAllPods: (opts?: WatchOptions) => resources.watch('Pod', undefined, opts),
    rollbackDeployment: resources.rollbackDeployment,
    setDeploymentPaused: resources.setDeploymentPaused,
    logs,
    deletePod: resources.deletePod,
    restartDeployment: resources.restartDeployment,
    scale: resources.scale,
    portForward,
    applyServerSide,
    get: resources.get,
    delete: resources.delete,
    stats: () => transport.stats(),
    dispose() {
      owned.disposeAll();
      transport.dispose();
    },
  };
}

export type { Transport };
