// The Docker feature's typed API: what other features (Containerize's wizard, later Deploy) call
// instead of command-id strings. Every call runs through the same command wrapper as the palette
// commands (workspace-trust gate, logging, one short message with "Show Log", quiet on cancel).
import type * as vscode from 'vscode';
import { runCommand, type CommandSpec } from '../../platform/commands';
import type { Deps } from '../../platform/deps';
import type { ScaffoldPlan } from '../../core/scaffold/types';
import { plannedRun } from '../../docker/fromPlan';
import type { BuildResult, GpuRequest, ManagedContainer, PushResult } from '../../docker/types';

export interface BuildRequest {
  readonly dockerfile?: vscode.Uri;
  /** Default: the Dockerfile's folder. */
  readonly contextDir?: vscode.Uri;
  /** Default: the one tag rule (settings template, the generated compose file, `<project>:0.1.0`). */
  readonly tag?: string;
}

export interface RunRequest {
  readonly folder?: vscode.Uri;
  readonly image?: string;
  /** Container ports, HTTP first. Default: `modeldock.scaffold.port`. */
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  /** Default: `modeldock.docker.gpus`. */
  readonly gpus?: GpuRequest;
  /** Default: `modeldock.docker.shmSizeMB`, else 1 GiB for PyTorch. */
  readonly shmSizeBytes?: number;
  /** Merged under `modeldock.docker.env` (the settings win). */
  readonly env?: Readonly<Record<string, string>>;
  /** Default: the framework detection found for the folder. */
  readonly framework?: string;
}

export interface PublishedPort {
  readonly name: string;
  readonly containerPort: number;
  readonly hostPort: number;
}

export interface RunResult {
  readonly id: string;
  readonly name: string;
  /** http://127.0.0.1:<host port of the first port>. */
  readonly url: string | undefined;
  readonly ports: readonly PublishedPort[];
  /** The GPUs the container really got (none after "Run on CPU"). */
  readonly gpus: GpuRequest;
}

export interface PushRequest {
  /** The local image (`name:tag`). */
  readonly image: string;
  /** Where to push it (`registry/repo:tag`); the image is tagged so first. */
  readonly target: string;
}

export interface DockerApi {
  /** The containers ModelDock started (label modeldock.managed), with their published ports. */
  listContainers(): Promise<readonly ManagedContainer[]>;
  /** Fires with the id of each container ModelDock starts. */
  readonly onDidStartContainer: vscode.Event<string>;
  /** undefined: cancelled, refused (untrusted) or failed (already reported to the user). */
  build(request: BuildRequest): Promise<BuildResult | undefined>;
  run(request: RunRequest): Promise<RunResult | undefined>;
  /** Build the plan's Dockerfile with the plan's tag, then run it with the plan's ports, GPUs, shm and env. */
  buildAndRun(folder: vscode.Uri, plan: ScaffoldPlan): Promise<RunResult | undefined>;
  /**
   * Tags `image` as `target` and pushes it with the user's Docker credentials; resolves with the
   * digest the registry reported (undefined: cancelled, refused or failed, already reported).
   */
  push(request: PushRequest): Promise<PushResult | undefined>;
}

export interface DockerCommands {
  readonly build: CommandSpec;
  readonly run: CommandSpec;
  /** API-only (not contributed): see commands/pushImage.ts. */
  readonly push: CommandSpec;
}

export interface DockerConnection {
  list(): Promise<readonly ManagedContainer[]>;
  readonly onDidStartContainer: vscode.Event<string>;
}

export function createDockerApi(
  deps: Deps,
  commands: DockerCommands,
  connection: DockerConnection,
  joinPath: (base: vscode.Uri, rel: string) => vscode.Uri,
): DockerApi {
  const build = (request: BuildRequest) => runCommand(commands.build, deps, [request]) as Promise<BuildResult | undefined>;
  const run = (request: RunRequest) => runCommand(commands.run, deps, [request]) as Promise<RunResult | undefined>;
  return {
    push: (request) => runCommand(commands.push, deps, [request]) as Promise<PushResult | undefined>,
    listContainers: () => connection.list(),
    onDidStartContainer: connection.onDidStartContainer,
    build,
    run,
    async buildAndRun(folder, plan) {
      const p = plannedRun(plan);
      if (!p.dockerfile) {
        deps.log.warn(`build & run: the ${plan.runtime} plan has no Dockerfile to build`);
        return undefined;
      }
      const built = await build({ dockerfile: joinPath(folder, p.dockerfile), tag: p.image });
      if (!built) return undefined;
      return run({ folder, image: p.image, ports: p.ports, gpus: p.gpus, shmSizeBytes: p.shmSizeBytes, env: p.env, framework: p.framework });
    },
  };
}
