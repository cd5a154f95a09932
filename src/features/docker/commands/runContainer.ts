import { homedir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import type { Deps } from '../../../platform/deps';
import { CancelledError } from '../../../platform/errors';
import { DockerUserError } from '../../../docker/errors';
import { describeGpus, parseGpuRequest, pickFreePort, planRun } from '../../../docker/runPlan';
import { defaultImageTag, repositoryName } from '../../../docker/tags';
import type { DockerEngine, GpuRequest, RunOptions } from '../../../docker/types';
import { isUri, workspaceFolderFor, type DockerFeature } from '../feature';
import { readDockerSettings } from '../settings';
import { followInTerminal } from './showLogs';

export const RUN_COMMAND = 'modeldock.docker.run';

export interface RunArgs {
  readonly image?: string;
  readonly folder?: vscode.Uri;
  readonly gpus?: GpuRequest;
  readonly framework?: string;
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
  const choice = await vscode.window.showWarningMessage(
    verdict.summary,
    { modal: true, detail: verdict.remedy.join('\n') },
    'Run on CPU',
  );
  if (choice !== 'Run on CPU') throw new CancelledError();
  return { kind: 'none' };
}

export function runContainerCommand(feature: DockerFeature): CommandSpec {
  return {
    id: RUN_COMMAND,
    title: 'Run Container',
    requiresTrust: true,
    async run(deps, arg): Promise<{ id: string; name: string; url?: string } | undefined> {
      const a = (isUri(arg) ? { folder: arg } : (arg ?? {})) as RunArgs;
      const folder = workspaceFolderFor(a.folder);
      const settings = readDockerSettings(folder);
      const engine = await feature.session.getEngine();
      const image = a.image ?? (await defaultImageTag(folder.uri.fsPath, { template: settings.imageTag || undefined }));
      if (!(await engine.imageExists(image))) {
        const choice = await vscode.window.showWarningMessage(`The image ${image} is not built yet.`, 'Build Image');
        if (choice !== 'Build Image') throw new CancelledError();
        await vscode.commands.executeCommand('modeldock.docker.build', { tag: image });
        if (!(await engine.imageExists(image))) throw new CancelledError();
      }

      let gpus = a.gpus ?? (settings.gpus === 'ask' ? await askGpus() : parseGpuRequest(settings.gpus));
      gpus = await confirmGpus(engine, deps, gpus);

      const containerPort = deps.config.get('scaffold.port');
      const preferred = settings.hostPort || containerPort;
      const hostPort = await pickFreePort(preferred);
      if (hostPort !== preferred) deps.log.info(`host port ${preferred} is taken; using ${hostPort}`);

      const mounts: { hostPath: string; containerPath: string; readOnly?: boolean }[] = [];
      if (settings.modelFolder) {
        const hostPath = path.isAbsolute(settings.modelFolder) ? settings.modelFolder : path.join(folder.uri.fsPath, settings.modelFolder);
        mounts.push({ hostPath, containerPath: '/models', readOnly: true });
      }
      const project = repositoryName(folder.name);
      const options: RunOptions = {
        image,
        project,
        name: `${project}-${Date.now().toString(36)}`,
        ports: [{ containerPort, hostPort }],
        env: settings.env,
        mounts,
        hfCacheDir: settings.mountHuggingFaceCache ? path.join(homedir(), '.cache', 'huggingface') : undefined,
        shmSizeBytes: settings.shmSizeMB > 0 ? settings.shmSizeMB * 1024 * 1024 : undefined,
        framework: a.framework ?? 'pytorch',
        gpus,
        ipcHost: settings.ipcHost,
      };
      let created: { id: string; name: string };
      try {
        created = await engine.createAndStartContainer(planRun(options));
      } catch (err) {
        if (!(err instanceof DockerUserError) || err.kind !== 'gpu-unavailable') throw err;
        // The engine created the container but cannot start it with GPUs: offer the CPU fallback.
        const failedId = (err as { containerId?: unknown }).containerId;
        if (typeof failedId === 'string') await engine.remove(failedId, { force: true }).catch(() => undefined);
        const choice = await vscode.window.showErrorMessage(err.message, { modal: true, detail: err.hint }, 'Run on CPU');
        if (choice !== 'Run on CPU') throw new CancelledError();
        created = await engine.createAndStartContainer(planRun({ ...options, gpus: { kind: 'none' } }));
      }
      feature.session.notifyStarted(created.id);
      const url = `http://127.0.0.1:${hostPort}`;
      deps.log.info(`started ${created.name} (${image}) on ${url}${describeGpus(gpus) ? ` with GPUs ${describeGpus(gpus)}` : ''}`);
      followInTerminal(feature, deps, engine, created.id, created.name);
      void vscode.window.showInformationMessage(`${created.name} is running at ${url}.`, 'Open in Browser').then((c) => {
        if (c) void vscode.env.openExternal(vscode.Uri.parse(url));
      });
      return { ...created, url };
    },
  };
}
