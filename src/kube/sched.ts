// A validated pod in the shape core/deploy's scheduling reasons about: shared by the Clusters
// tree's Nodes level and the Deploy follower.
import type { SchedPod } from '../core/deploy/scheduling';
import type { PodInfo } from './types';

export function schedPod(p: PodInfo): SchedPod {
  const res = (cs: PodInfo['containers']) => cs.map((c) => ({ requests: c.requests, limits: c.limits }));
  return {
    name: p.meta.name,
    namespace: p.meta.namespace ?? '',
    ...(p.nodeName ? { nodeName: p.nodeName } : {}),
    phase: p.phase,
    containers: res(p.containers),
    initContainers: res(p.initContainers),
    nodeSelector: p.nodeSelector,
    tolerations: p.tolerations,
    requiredNodeAffinity: p.requiredNodeAffinity,
  };
}
