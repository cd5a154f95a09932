// What planning shares between the Python server (plan.ts) and the model-server runtimes
// (runtimes.ts), in its own module so neither imports the other's types.
import type { DetectionResult } from '../detect/types';
import type { ProjectFacts } from './project';
import type { TemplateSource } from './templates';
import type { ScaffoldChoices, ScaffoldOutputs, ScaffoldPlan } from './types';

export type ExistingFile = (relPath: string) => string | undefined;

/** Everything the runtimes share once choices are validated. */
export interface PlanInputs {
  detection: DetectionResult;
  facts: ProjectFacts;
  choices: ScaffoldChoices;
  outputs: ScaffoldOutputs;
  target: 'cpu' | 'gpu';
  name: string;
  image: string;
  tag: string;
  port: number;
  gpuCount: number;
  deviceIds: string[] | null;
  weightsInImage: boolean;
  force: boolean;
  layout: { context: string; dockerfile: string };
  templates: TemplateSource;
  existing: ExistingFile | undefined;
  /** Reads a project file (relative to detection.root), e.g. a requirements file to rewrite for CPU. */
  source: ExistingFile | undefined;
  notes: string[];
  errors: string[];
}

const GIB = 1024 * 1024 * 1024;

/** The run-time half of a plan: what Build & Run hands the engine. */
export function containerRunSpec(p: PlanInputs, dockerfile: string | null, torch: boolean, env: { name: string; value: string }[]): ScaffoldPlan['container'] {
  return {
    dockerfile,
    gpus: p.target === 'gpu' ? (p.deviceIds ? { deviceIds: [...p.deviceIds] } : { count: p.gpuCount }) : null,
    shmBytes: torch ? GIB : null,
    env: Object.fromEntries(env.map((e) => [e.name, e.value])),
  };
}

