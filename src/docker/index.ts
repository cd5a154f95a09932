/**
 * ModelDock's Docker layer. This entry point is cheap to import: discovery and the planners are
 * plain functions; the dockerode adapter is only loaded by `connectEngine`.
 */
import { discoverEngine, type DiscoveryOptions, type DiscoveryView } from './discovery';
import type { EngineDeps } from './dockerodeEngine';
import { nodeDiscoveryView } from './nodeView';
import type { DiscoveredEngine, DockerEngine } from './types';

export * from './types';
export { discoverEngine, parseHost, formatEndpoint, contextStoreId, DiscoveryError } from './discovery';
export type { DiscoveryView, DiscoveryOptions } from './discovery';
export { planContext, packContext, formatBytes, DEFAULT_CONTEXT_THRESHOLD, ContextError } from './context';
export { parseDockerignore, PatternMatcher, trimBuildFilesFromExcludes } from './dockerignore';
export { planRun, pickFreePort, isPortFree, parseGpuRequest, describeGpus, MANAGED_LABEL, PROJECT_LABEL, GPUS_LABEL, ONE_GIB } from './runPlan';
export { judgeGpuPreflight, runNvidiaSmi } from './preflight';
export { translateDockerError, DockerUserError, NVIDIA_TOOLKIT_STEPS } from './errors';
export type { DockerErrorKind } from './errors';
export { defaultImageRef, imageFromCompose, repositoryName, gitShortSha } from './tags';
export { nodeDiscoveryView } from './nodeView';
export { PushOutputParser, type PushEvent } from './push';
export { resolveCredentials, registryAuthHeader, registryHostOf, normalizeRegistryKey, dockerConfigDir, type RegistryCredentials, type ResolvedCredentials } from './credentials';
export { checkManifest, checkImageAccess, parseImageRef, isLoopbackHost, type ImageRef, type ManifestCheck } from './registry';
export type { EngineDeps } from './dockerodeEngine';

export interface ConnectOptions extends DiscoveryOptions {
  readonly view?: DiscoveryView;
  readonly deps?: EngineDeps;
  /** Skip discovery (tests, or a choice the user made). */
  readonly discovered?: DiscoveredEngine;
}

/** Discovers the engine and returns an adapter for it. Does not contact the engine: call ping(). */
export async function connectEngine(options: ConnectOptions = {}): Promise<DockerEngine> {
  const discovered = options.discovered ?? discoverEngine(options.view ?? nodeDiscoveryView(), options);
  const { connectDockerode } = await import('./dockerodeEngine');
  return connectDockerode(discovered, options.deps);
}
