import { homedir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DetectionResult } from '../../../core/detect/types';
import type { CommandSpec } from '../../../platform/commands';
import type { Deps } from '../../../platform/deps';
import { CancelledError } from '../../../platform/errors';
import { DockerUserError } from '../../../docker/errors';
import { describeGpus, parseGpuRequest, pickFreePort, planRun } from '../../../docker/runPlan';
import { defaultImageRef, repositoryName } from '../../../docker/tags';
import type { DockerEngine, GpuRequest, PortMapping, RunOptions } from '../../../docker/types';
import type { BuildRequest, PublishedPort, RunRequest, RunResult } from '../api';
import { isUri, workspaceFolderFor, type DockerFeature } from '../feature';
import { readDockerSettings } from '../settings';
import { followInTerminal } from './showLogs';

export const RUN_COMMAND = 'modeldock.docker.run';

/** What the Run command needs from outside the Docker feature, passed in at wiring time. */
export interface RunDeps {
  /** Build through the feature's API (when the image is missing). */
  build(request: BuildRequest): Promise<unknown>;
  /** The detection of a folder, when it has run: a palette Run without a plan takes the framework from it. */
  detection(folder: vscode.Uri): DetectionResult | undefined;
}

async function askGpus(): Promise<GpuRequest> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'CPU only', value: 'none' },
      { label: 'All GPUs', value: 'all' },
      { label: 'One GPU', value: '1' },
      { label: 'Specific devices…', value: 'devices' },
    ],
    { placeHolder: 'GPUs for this container' },
  );
  if (!picked) throw new CancelledError();
  if (picked.value !== 'devices') return parseGpuRequest(picked.value);
  const ids = await vscode.window.showInputBox({ prompt: 'GPU device IDs or UUIDs, comma separated', value: '0' });
  if (ids === undefined) throw new CancelledError();
  return parseGpuRequest(`device=${ids}`);
}

/** Checks the engine can serve GPUs; offers CPU instead when it cannot. */
async function confirmGpus(engine: DockerEngine, deps: Deps, gpus: GpuRequest): Promise<GpuRequest> {
  if (gpus.kind === 'none') return gpus;
  const { verdict } = await engine.preflightGpu();
  for (const d of verdict.details) deps.log.info(`gpu preflight: ${d}`);
  if (verdict.canServeGpus) return gpus;
  // The preflight reads the engine's /info, which can be wrong (a CDI-only setup, a remote
  // engine): the user may still try, and the engine's own answer is then translated below.
  const choice = await deps.prompts.modal({ severity: 'warning', message: verdict.summary, detail: verdict.remedy.join('\n'), buttons: ['Run on CPU', 'Try with GPUs Anyway'] });
  if (choice === 'Try with GPUs Anyway') return gpus;
  if (choice !== 'Run on CPU') throw new CancelledError();
  return { kind: 'none' };
}

export function runContainerCommand(feature: DockerFeature, runDeps: RunDeps): CommandSpec {
  return {
    id: RUN_COMMAND,
    title: 'Run Container',
    requiresTrust: true,
    async run(deps, arg): Promise<RunResult> {
      const a = (isUri(arg) ? { folder: arg } : (arg ?? {})) as RunRequest;
      const folder = workspaceFolderFor(a.folder);
      const settings = readDockerSettings(folder);
      const engine = await feature.session.getEngine();
      const image = a.image ?? (await defaultImageRef(folder.uri.fsPath, { template: settings.imageTag || undefined }));
      if (!(await engine.imageExists(image))) {
        const choice = await vscode.window.showWarningMessage(`The image ${image} is not built yet.`, 'Build Image');
        if (choice !== 'Build Image') throw new CancelledError();
        await runDeps.build({ tag: image });
        if (!(await engine.imageExists(image))) throw new CancelledError();
      }

      let gpus = a.gpus ?? (settings.gpus === 'ask' ? await askGpus() : parseGpuRequest(settings.gpus));
      gpus = await confirmGpus(engine, deps, gpus);

      // Every port the plan's runtime listens on (TF Serving REST + gRPC, Triton HTTP/gRPC/metrics),
      // each on a free host port; a palette Run without a plan publishes the scaffold's port.
      const wanted = a.ports?.length ? a.ports : [{ name: 'http', containerPort: deps.config.get('scaffold.port') }];
      const published: PublishedPort[] = [];
      const taken = new Set<number>();
      for (const [i, p] of wanted.entries()) {
        const preferred = i === 0 && settings.hostPort ? settings.hostPort : p.containerPort;
        let hostPort = await pickFreePort(preferred);
        while (taken.has(hostPort)) hostPort = await pickFreePort(hostPort + 1);
        taken.add(hostPort);
        if (hostPort !== preferred) deps.log.info(`host port ${preferred} is taken; using ${hostPort} for container port ${p.containerPort}`);
        published.push({ name: p.name ?? `port${i}`, containerPort: p.containerPort, hostPort });
      }
      const ports: PortMapping[] = published.map((p) => ({ containerPort: p.containerPort, hostPort: p.hostPort }));

      const mounts: { hostPath: string; containerPath: string; readOnly?: boolean }[] = [];
      if (settings.modelFolder) {
        const hostPath = path.isAbsolute(settings.modelFolder) ? settings.modelFolder : path.join(folder.uri.fsPath, settings.modelFolder);
        mounts.push({ hostPath, containerPath: '/models', readOnly: true });
      }
      const framework = a.framework ?? runDeps.detection(folder.uri)?.primary ?? undefined;
      const project = repositoryName(folder.name);
      const options: RunOptions = {
        image,
        project,
        name: `${project}-${Date.now().toString(36)}`,
        ports,
        env: { ...(a.env ?? {}), ...settings.env },
        mounts,
        hfCacheDir: settings.mountHuggingFaceCache ? path.join(homedir(), '.cache', 'huggingface') : undefined,
        shmSizeBytes: settings.shmSizeMB > 0 ? settings.shmSizeMB * 1024 * 1024 : a.shmSizeBytes,
        framework,
        gpus,
        ipcHost: settings.ipcHost,
      };
      let created: { id: string; name: string };
      try {
        created = await engine.createAndStartContainer(planRun(options));
      } catch (err) {
        if (!(err instanceof DockerUserError) || err.kind !== 'gpu-unavailable') throw err;
        // The engine created the container but cannot start it with GPUs: offer the CPU fallback.
        // The created container stays for inspection while the user decides, then goes.
        const failedId = (err as { containerId?: unknown }).containerId;
        const choice = await deps.prompts.modal({ severity: 'error', message: err.message, ...(err.hint ? { detail: err.hint } : {}), buttons: ['Run on CPU'] });
        if (typeof failedId === 'string') await engine.remove(failedId, { force: true }).catch(() => undefined);
        if (choice !== 'Run on CPU') throw new CancelledError();
        gpus = { kind: 'none' };
        created = await engine.createAndStartContainer(planRun({ ...options, gpus }));
      }
      feature.session.notifyStarted(created.id);
      const url = published[0] ? `http://127.0.0.1:${published[0].hostPort}` : undefined;
      deps.log.info(
        `started ${created.name} (${image}) ${published.map((p) => `${p.name} ${p.containerPort}→127.0.0.1:${p.hostPort}`).join(', ')}${describeGpus(gpus) ? ` with GPUs ${describeGpus(gpus)}` : ''}`,
      );
      followInTerminal(feature, deps, engine, created.id, created.name);
      if (url) {
        void vscode.window.showInformationMessage(`${created.name} is running at ${url}.`, 'Open in Browser').then((c) => {
          if (c) void vscode.env.openExternal(vscode.Uri.parse(url));
        });
      }
      return { ...created, url, ports: published, gpus };
    },
  };
}
