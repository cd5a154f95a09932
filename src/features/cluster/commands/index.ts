import type { CommandSpec } from '../../../platform/commands';
import type { ClusterFeature } from '../feature';
import { applyManifestCommand } from './applyManifest';
import { clearFilterCommand } from './clearFilter';
import { connectClusterCommand } from './connectCluster';
import { deletePodCommand } from './deletePod';
import { describeResourceCommand } from './describeResource';
import { filterNamespacesCommand } from './filterNamespaces';
import { followLogsCommand } from './followLogs';
import { forwardPortCommand } from './forwardPort';
import { refreshClustersCommand } from './refreshClusters';
import { restartDeploymentCommand } from './restartDeployment';
import { retryWatchCommand } from './retryWatch';
import { rolloutHistoryCommand } from './rolloutHistory';
import { rolloutPauseCommand } from './rolloutPause';
import { rolloutResumeCommand } from './rolloutResume';
import { rolloutUndoCommand } from './rolloutUndo';
import { scaleWorkloadCommand } from './scaleWorkload';
import { showErrorCommand } from './showError';
import { showPreviousLogsCommand } from './showPreviousLogs';
import { stopPortForwardsCommand } from './stopPortForwards';
import { switchContextCommand } from './switchContext';
import { toggleFavoriteCommand } from './toggleFavorite';

/** Every cluster command, one file each; the one table the feature registers. */
export const CLUSTER_COMMANDS: readonly ((feature: ClusterFeature) => CommandSpec)[] = [
  refreshClustersCommand,
  connectClusterCommand,
  switchContextCommand,
  filterNamespacesCommand,
  clearFilterCommand,
  toggleFavoriteCommand,
  retryWatchCommand,
  showErrorCommand,
  followLogsCommand,
  showPreviousLogsCommand,
  describeResourceCommand,
  deletePodCommand,
  restartDeploymentCommand,
  scaleWorkloadCommand,
  rolloutHistoryCommand,
  rolloutUndoCommand,
  rolloutPauseCommand,
  rolloutResumeCommand,
  forwardPortCommand,
  stopPortForwardsCommand,
  applyManifestCommand,
];
