import * as vscode from 'vscode';
import type { DetectionReport } from './core/detect/types';
import { toReport } from './core/detect/types';
import { createConfig } from './platform/config';
import type { Deps } from './platform/deps';
import { createLogger } from './platform/log';
import { Prompts, type PromptAnswerer } from './platform/prompts';
import { register as registerCore } from './features/core';
import { register as registerDetect } from './features/detect';
import { register as registerLint } from './features/lint';
import { createService as createContainerizeService, register as registerContainerize } from './features/containerize';
import { register as registerCluster, type ClusterApi } from './features/cluster';
import { register as registerWizard } from './features/wizard';
import { register as registerDocker } from './features/docker';
import { register as registerMetrics } from './features/metrics';
import { register as registerDeploy, type DeployApi } from './features/deploy';

/** What activate() returns: other extensions (and the extension-host tests) read it. */
export interface ModelDockApi {
  readonly activationMs: number;
  /** The current detection report of the first workspace folder, once detection has run. */
  detection(): DetectionReport | undefined;
  readonly onDidDetect: vscode.Event<DetectionReport | undefined>;
  /** The Clusters view: its model (whose nodes the kube commands take), view, logs and test hook. */
  readonly cluster: ClusterApi;
  /** Deploy Model: deploy, smoke test, follow rollouts; the sessions the Deploy view shows. */
  readonly deploy: DeployApi;
  /**
   * For extension-host tests only: VS Code refuses modal dialogs while extension tests run, so a
   * test answers ModelDock's modal questions here (each automated answer is logged).
   */
  readonly test: { answerPrompts(answerer: PromptAnswerer): vscode.Disposable };
}

// Wiring only: logger, config, then one register(context, deps) per feature. Each feature
// defers its heavy modules (dockerode, client-node, the linter's schemas) to first use.
export function activate(context: vscode.ExtensionContext): ModelDockApi {
  const started = performance.now();
  const { channel, log } = createLogger();
  context.subscriptions.push(channel);
  const prompts = new Prompts((m) => log.info(m));
  const deps: Deps = { log, config: createConfig(), extensionUri: context.extensionUri, prompts };

  registerCore(context, deps);
  const detection = registerDetect(context, deps);
  registerLint(context, deps, detection);
  const docker = registerDocker(context, deps, { detection: (folder) => detection.resultFor(folder.fsPath) });
  // One Containerize service behind both front-ends, handing plans to Docker's typed API.
  const containerize = createContainerizeService(context, deps, detection, docker);
  const wizard = registerWizard(context, deps, containerize);
  registerContainerize(context, deps, containerize, wizard);
  const { api: cluster, services: clusterServices } = registerCluster(context, deps);
  // Model Metrics reaches pods through the Clusters view's client and port-forwards.
  registerMetrics(context, deps, docker, cluster);
  const deploy = registerDeploy(context, deps, { docker, cluster: clusterServices, clusterApi: cluster, detection: (dir) => detection.resultFor(dir) });

  const activationMs = performance.now() - started;
  log.info(`ModelDock ${String(context.extension.packageJSON.version)} activated in ${activationMs.toFixed(1)} ms`);
  return {
    activationMs,
    cluster,
    deploy,
    test: { answerPrompts: (answerer) => prompts.answerWith(answerer) },
    detection: () => (detection.current ? toReport(detection.current) : undefined),
    onDidDetect: (listener, thisArg, disposables) =>
      detection.onDidChange((r) => listener.call(thisArg, r ? toReport(r) : undefined), undefined, disposables),
  };
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions.
}
