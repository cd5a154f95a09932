// The one Containerize service behind both front-ends (the wizard and the Quick Picks): one
// folder choice, one detection source, one planner (templates, CUDA list, planScaffold), one
// writer and one preview provider. The front-ends only ask questions and show results.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DetectionResult } from '../../core/detect/types';
import type { PlannedFile, ScaffoldPlan } from '../../core/scaffold/types';
import type { Deps } from '../../platform/deps';
import { CancelledError, UserError } from '../../platform/errors';
import type { DockerApi, RunResult } from '../docker/api';
import type { WorkspaceDetection } from '../detect/workspaceDetection';
import { createPlanner, type Planner } from './planner';
import type { PreviewProvider } from './previewProvider';
import { type OverwritePolicy, type WriteOutcome, writePlan } from './writePlan';

export interface ContainerizeService {
  readonly preview: PreviewProvider;
  readonly detection: Pick<WorkspaceDetection, 'onDidDetect' | 'resultFor' | 'settled'>;
  /**
   * The project folder: the one given (a folder of this workspace), the only one, or the user's
   * pick. `interactive: false` takes the first folder instead of asking.
   */
  pickFolder(given?: vscode.Uri | string, options?: { interactive?: boolean }): Promise<vscode.WorkspaceFolder>;
  /** The folder's latest detection, or a fresh one (with progress) when there is none or `fresh`. */
  detect(folder: vscode.Uri, options?: { fresh?: boolean; progress?: boolean }): Promise<DetectionResult>;
  /** The planner for a folder (defaults, CUDA options, plan, existing files). */
  planner(folder: vscode.Uri, openDocument?: (rel: string) => string | undefined): Planner;
  /** Writes planned files through one WorkspaceEdit after real-path checks; asks before overwriting. */
  write(folder: vscode.Uri, files: readonly PlannedFile[], policy: OverwritePolicy): Promise<WriteOutcome>;
  /** Build & Run of a written plan, through the Docker feature's typed API; undefined when not available. */
  readonly buildAndRun: ((folder: vscode.Uri, plan: ScaffoldPlan) => Promise<RunResult | undefined>) | undefined;
}

export function createContainerizeService(
  deps: Deps,
  detection: WorkspaceDetection,
  preview: PreviewProvider,
  docker: DockerApi | undefined,
): ContainerizeService {
  const templatesDir = path.join(deps.extensionUri.fsPath, 'templates');
  return {
    preview,
    detection,
    async pickFolder(given, options = {}) {
      const folders = vscode.workspace.workspaceFolders ?? [];
      if (given !== undefined) {
        const uri = typeof given === 'string' ? vscode.Uri.file(given) : given;
        const f = folders.find((w) => w.uri.toString() === uri.toString()) ?? vscode.workspace.getWorkspaceFolder(uri);
        if (!f) throw new UserError(`${uri.fsPath} is not in a folder of this workspace.`, 'Open the project folder, then run Containerize Model again.');
        // A sub-folder of a workspace folder (explorer context menu) is a project of its own.
        return f.uri.toString() === uri.toString() ? f : { uri, name: path.basename(uri.fsPath), index: f.index };
      }
      if (folders.length === 0) throw new UserError('Open the folder of an ML project first.', 'File › Open Folder…, then run Containerize Model again.');
      if (folders.length === 1 || options.interactive === false) return folders[0]!;
      const f = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which project do you want to containerize?' });
      if (!f) throw new CancelledError();
      return f;
    },
    async detect(folder, options = {}) {
      const root = folder.fsPath;
      await detection.settled();
      const known = options.fresh ? undefined : detection.resultFor(root);
      if (known) return known;
      if (options.progress === false) return detection.detect(root);
      return vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `ModelDock: detecting the ML framework of ${path.basename(root)}…` },
        () => detection.detect(root),
      );
    },
    planner(folder, openDocument) {
      return createPlanner({
        root: folder.fsPath,
        templatesDir,
        // Template overrides decide what a built Dockerfile runs: only in a trusted workspace.
        allowOverrides: vscode.workspace.isTrusted,
        onIgnoredTemplate: (name, reason) => deps.log.warn(`template override ${name} ignored: ${reason}`),
        defaultTarget: deps.config.get('scaffold.defaultTarget'),
        port: deps.config.get('scaffold.port'),
        llm: { gpu: deps.config.get('llm.gpu'), contextLength: deps.config.get('llm.contextLength'), concurrency: deps.config.get('llm.concurrency') },
        openDocument:
          openDocument ?? ((rel) => vscode.workspace.textDocuments.find((d) => d.uri.toString() === vscode.Uri.joinPath(folder, ...rel.split('/')).toString())?.getText()),
      });
    },
    write(folder, files, policy) {
      return writePlan(folder, files, policy, preview, deps.prompts);
    },
    buildAndRun: docker ? (folder, plan) => docker.buildAndRun(folder, plan) : undefined,
  };
}
