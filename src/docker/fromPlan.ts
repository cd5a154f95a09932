// The typed handoff from a Containerize plan to Build & Run: what the plan decided (ports of the
// chosen runtime, GPUs, shm, env, tag, framework) becomes the engine's request as data, so
// nothing chosen in the wizard is re-derived from settings on the way.
import type { ScaffoldPlan } from '../core/scaffold/types';
import type { GpuRequest } from './types';

export interface PlannedRun {
  /** `name:tag`, the one compose and the manifests reference. */
  readonly image: string;
  /** Dockerfile path relative to the project folder; null when the plan builds nothing (KServe). */
  readonly dockerfile: string | null;
  /** Container ports, the HTTP one first (probes and "Open in Browser" use it). */
  readonly ports: readonly { readonly name: string; readonly containerPort: number }[];
  readonly gpus: GpuRequest;
  readonly shmSizeBytes: number | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly framework: string | undefined;
  /** GET path that answers when the server is ready, or null (TCP only / not a server). */
  readonly healthPath: string | null;
}

export function gpuRequestOf(gpus: ScaffoldPlan['container']['gpus']): GpuRequest {
  if (gpus === null) return { kind: 'none' };
  if ('deviceIds' in gpus) return { kind: 'devices', ids: [...gpus.deviceIds] };
  return { kind: 'count', count: gpus.count };
}

export function plannedRun(plan: ScaffoldPlan): PlannedRun {
  return {
    image: plan.image,
    dockerfile: plan.container.dockerfile,
    ports: plan.ports.map((p) => ({ name: p.name, containerPort: p.port })),
    gpus: gpuRequestOf(plan.container.gpus),
    shmSizeBytes: plan.container.shmBytes ?? undefined,
    env: { ...plan.container.env },
    framework: plan.framework ?? undefined,
    healthPath: plan.healthPath,
  };
}
