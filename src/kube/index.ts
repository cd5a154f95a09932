// The cluster adapter's public surface. Importing this module does NOT load client-node: only
// createClusterClient does, with a dynamic import, when the Clusters view first needs a cluster.
export * from './types';
export { KubeError, isKubeError } from './errors';
export { createClusterClient, parseManifests, FIELD_MANAGER, type ClusterClientOptions } from './client';
export { loadKubeconfig, kubeconfigPaths, mergeKubeconfigs, listContexts, writeCurrentContext, type LoadedKubeconfig, type RawKubeconfig } from './kubeconfig';
export { classifyLogLine, LogFollower, LineSplitter, type LogLine, type LineClass, type LogProblem } from './logs';
export { describeYaml, forDiff, cleanForDisplay } from './describe';
export { Backoff, ReconnectPolicy } from './backoff';
export { DEFAULT_TUNING, resolveTuning, type ClientTuning, type ReconnectTuning, type TuningOverrides } from './tuning';
export { Coalescer, Emitter, DisposableStore } from './batch';
export { parsePod, parseWorkload, parseNamespace } from './parse';
export { ClusterTreeModel, type TreeNode, type NodeOf, type TreeModelOptions, type ConnectionState, type MessageKind } from './treeModel';
// Test-only helpers (tests and the benchmark); the extension never imports them.
export { formatAge, podHealth, type Presentation } from './present';
