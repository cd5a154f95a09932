import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CommandSpec } from '../../../platform/commands';
import { CancelledError, UserError } from '../../../platform/errors';
import { defaultImageRef } from '../../../docker/tags';
import type { BuildResult } from '../../../docker/types';
import type { BuildRequest, RunRequest } from '../api';
import { OutputTerminal } from '../terminal';
import { pipBuildArgs, readDockerSettings } from '../settings';
import { isUri, workspaceFolderFor, type DockerFeature } from '../feature';

export const BUILD_COMMAND = 'modeldock.docker.build';

async function findDockerfile(arg: unknown): Promise<vscode.Uri> {
  if (isUri(arg)) return arg;
  const a = (arg ?? {}) as BuildRequest;
  if (a.dockerfile) return a.dockerfile;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && /(^|[./])dockerfile$|^dockerfile/i.test(path.basename(active.fsPath))) return active;
  const found = await vscode.workspace.findFiles('**/{Dockerfile,*.Dockerfile,Dockerfile.*}', '**/node_modules/**', 50);
  if (found.length === 0) throw new UserError('No Dockerfile in this workspace.', 'Run "ModelDock: Containerize Model" to generate one.');
  if (found.length === 1) return found[0] as vscode.Uri;
  const picked = await vscode.window.showQuickPick(found.map((u) => ({ label: vscode.workspace.asRelativePath(u), u })), { placeHolder: 'Dockerfile to build' });
  if (!picked) throw new CancelledError();
  return picked.u;
}

/** `run`: what "Run Container" on the finished-build message does (the feature's typed API). */
export function buildImageCommand(feature: DockerFeature, run: (request: RunRequest) => unknown): CommandSpec {
  return {
    id: BUILD_COMMAND,
    title: 'Build Image',
    requiresTrust: true,
    async run(deps, arg): Promise<BuildResult> {
      const dockerfile = await findDockerfile(arg);
      const a = (isUri(arg) ? {} : (arg ?? {})) as BuildRequest;
      const folder = workspaceFolderFor(dockerfile);
      const contextDir = a.contextDir?.fsPath ?? path.dirname(dockerfile.fsPath);
      const settings = readDockerSettings(folder);
      // tar-stream is only needed once a build starts.
      const { formatBytes, planContext } = await import('../../../docker/context');
      const plan = await planContext(contextDir, {
        dockerfile: path.relative(contextDir, dockerfile.fsPath).split(path.sep).join('/'),
        thresholdBytes: settings.contextWarnMB * 1024 * 1024,
      });
      deps.log.info(`build context ${contextDir}: ${plan.fileCount} files, ${formatBytes(plan.totalBytes)}`);
      if (plan.overThreshold) {
        const offenders = plan.biggest.slice(0, 5).map((b) => `${b.rel} (${formatBytes(b.size)})`).join(', ');
        const choice = await deps.prompts.modal({
          severity: 'warning',
          message: `The build context is ${formatBytes(plan.totalBytes)} (over ${formatBytes(plan.thresholdBytes)}). Biggest: ${offenders}.`,
          detail: 'Model weights usually belong in a volume or .dockerignore, not in the image context.',
          buttons: ['Send Anyway', 'Edit .dockerignore'],
        });
        if (choice === 'Edit .dockerignore') {
          const uri = vscode.Uri.file(path.join(contextDir, '.dockerignore'));
          const edit = new vscode.WorkspaceEdit();
          edit.createFile(uri, { ignoreIfExists: true });
          await vscode.workspace.applyEdit(edit);
          await vscode.window.showTextDocument(uri);
          throw new CancelledError();
        }
        if (choice !== 'Send Anyway') throw new CancelledError();
      }
      const tag =
        a.tag ??
        (await defaultImageRef(folder.uri.fsPath, {
          template: settings.imageTag || undefined,
          dockerfile: path.relative(folder.uri.fsPath, dockerfile.fsPath).split(path.sep).join('/'),
        }));
      const buildArgs = pipBuildArgs(settings);
      if (Object.keys(buildArgs).length) deps.log.info(`build args from settings: ${Object.keys(buildArgs).join(', ')}`);
      const engine = await feature.session.getEngine();
      const terminal = new OutputTerminal(`Build ${tag}`);
      terminal.show(true);
      terminal.write(`\x1b[1mBuilding ${tag}\x1b[0m from ${contextDir} (${plan.fileCount} files, ${formatBytes(plan.totalBytes)}) on ${engine.discovered.address}\n`);

      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Building ${tag}`, cancellable: true },
        async (progress, token) => {
          const controller = new AbortController();
          const sub = token.onCancellationRequested(() => controller.abort());
          let lastStep = 0;
          try {
            return await engine.buildImage({
              plan,
              tags: [tag],
              buildArgs,
              builder: settings.builder,
              signal: controller.signal,
              onEvent: (e) => {
                if (e.type === 'log') terminal.write(e.text);
                else if (e.type === 'step') {
                  const increment = e.total > 0 ? ((e.current - lastStep) / e.total) * 100 : undefined;
                  lastStep = Math.max(lastStep, e.current);
                  progress.report({ message: `Step ${e.current}/${e.total}: ${e.text.slice(0, 60)}`, increment });
                } else if (e.type === 'error') terminal.write(`\x1b[31m${e.message}\x1b[0m\n`);
              },
            });
          } catch (err) {
            terminal.write(err instanceof CancelledError ? '\n\x1b[33mBuild cancelled.\x1b[0m\n' : `\n\x1b[31m${(err as Error).message}\x1b[0m\n`);
            throw err;
          } finally {
            sub.dispose();
          }
        },
      );
      terminal.write(`\n\x1b[32mBuilt ${tag}\x1b[0m with ${result.builder} in ${(result.durationMs / 1000).toFixed(1)} s\n`);
      void vscode.window.showInformationMessage(`Built ${tag}.`, 'Run Container').then((choice) => {
        if (choice) void run({ image: tag, folder: folder.uri });
      });
      return result;
    },
  };
}
