import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DetectionResult } from '../../core/detect/types';
import type { ScaffoldChoices, ScaffoldPlan } from '../../core/scaffold';
import type { CommandSpec } from '../../platform/commands';
import type { Deps } from '../../platform/deps';
import { CancelledError, UserError } from '../../platform/errors';
import type { WorkspaceDetection } from '../detect/workspaceDetection';
import { askChoices } from './askChoices';
import type { PreviewProvider } from './previewProvider';
import { type OverwritePolicy, type WriteOutcome, writePlan } from './writePlan';

/** Arguments for a scripted run (tests, the wizard, other extensions): what is given is not asked. */
export interface ContainerizeRequest {
  folder?: string;
  choices?: ScaffoldChoices;
  /** Ask nothing: take detection's defaults for every choice not given. */
  interactive?: boolean;
  overwrite?: OverwritePolicy;
  /** Open the Dockerfile at the end (default true). */
  open?: boolean;
}

export interface ContainerizeResult {
  plan: ScaffoldPlan;
  outcome: WriteOutcome;
}

export interface Wizard {
  open(folder?: vscode.Uri): Promise<void>;
}

interface Services {
  detection: WorkspaceDetection;
  preview: PreviewProvider;
  wizard: Wizard;
}

/**
 * The palette command opens the wizard (or Quick Picks, by setting). A call with arguments is a
 * scripted run (tests, other extensions) and goes straight to the shared path below.
 */
export function containerizeCommand(services: Services): CommandSpec {
  return {
    id: 'modeldock.containerize',
    title: 'Containerize Model',
    async run(deps, arg) {
      if (arg === undefined && deps.config.get('containerize.ui') === 'wizard') return services.wizard.open();
      return containerize(deps, services, (arg ?? {}) as ContainerizeRequest);
    },
  };
}

/** The keyboard path, whatever the setting says. */
export function containerizeQuickCommand(services: Services): CommandSpec {
  return {
    id: 'modeldock.containerizeQuick',
    title: 'Containerize Model (Quick Picks)',
    async run(deps) {
      return containerize(deps, services, {});
    },
  };
}

async function pickFolder(req: ContainerizeRequest): Promise<vscode.WorkspaceFolder> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (req.folder) {
    const f = folders.find((w) => w.uri.fsPath === req.folder) ?? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(req.folder));
    if (!f) throw new UserError(`${req.folder} is not a folder of this workspace.`);
    return f;
  }
  if (folders.length === 0) throw new UserError('Open the folder of an ML project first.', 'File › Open Folder…, then run Containerize Model again.');
  if (folders.length === 1 || req.interactive === false) return folders[0]!;
  const f = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which project do you want to containerize?' });
  if (!f) throw new CancelledError();
  return f;
}

async function detectFolder(deps: Deps, services: Services, folder: vscode.WorkspaceFolder): Promise<DetectionResult> {
  const current = services.detection.current;
  if (current && current.root === folder.uri.fsPath) return current;
  const { detectProject } = await import('../../core/detect');
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `ModelDock: detecting the ML framework of ${folder.name}…` },
    () =>
      detectProject(folder.uri.fsPath, {
        fileBudget: deps.config.get('detect.fileBudget'),
        maxFileBytes: deps.config.get('detect.maxFileSizeKB') * 1024,
      }),
  );
}

export async function containerize(deps: Deps, services: Services, req: ContainerizeRequest): Promise<ContainerizeResult> {
  const folder = await pickFolder(req);
  const detection = await detectFolder(deps, services, folder);
  const scaffold = await import('../../core/scaffold');
  const templates = templateSource(scaffold, deps, folder);

  const defaults: ScaffoldChoices = {
    target: deps.config.get('scaffold.defaultTarget'),
    port: deps.config.get('scaffold.port'),
    ...req.choices,
  };
  const choices = req.interactive === false ? defaults : await askChoices(detection, defaults);
  // force: the plan lists every file; writePlan decides per file (ask, keep or overwrite).
  // Triton: config.pbtxt declares the ONNX model's inputs/outputs when its file reads (else TODOs + a note).
  const modelIo = choices.runtime === 'triton' && !choices.modelIo ? scaffold.modelIoChoices(detection) : {};
  const plan = scaffold.planScaffold(detection, { ...choices, ...modelIo, force: true }, (rel) => readExisting(folder.uri.fsPath, rel), templates);
  for (const n of plan.notes) deps.log.info(`scaffold: ${n}`);
  if (plan.errors.length > 0) throw new UserError(plan.errors.join(' '), 'Pick another CUDA version or target.');

  const outcome = await writePlan(folder.uri, plan.files, req.overwrite ?? 'ask', services.preview);
  deps.log.info(
    `containerize ${folder.name}: ${plan.target} on ${plan.baseImage}; created ${outcome.created.length}, overwritten ${outcome.overwritten.length}, kept ${outcome.skipped.length}, unchanged ${outcome.unchanged.length}`,
  );
  if (req.open !== false) {
    const dockerfile = plan.files.find((f) => f.path === 'Dockerfile');
    if (dockerfile) await vscode.window.showTextDocument(vscode.Uri.joinPath(folder.uri, dockerfile.path), { preview: false });
    const summary = `ModelDock: ${outcome.created.length + outcome.overwritten.length} file(s) written for a ${plan.target.toUpperCase()} image${plan.baseImage ? ` on ${plan.baseImage}` : ''}.`;
    void vscode.window.showInformationMessage(summary + (plan.notes.length ? ` ${plan.notes[0]}` : ''));
  }
  return { plan, outcome };
}

/** Built-in templates, overlaid by the workspace's `.modeldock/templates/` when it has one. */
function templateSource(scaffold: typeof import('../../core/scaffold'), deps: Deps, folder: vscode.WorkspaceFolder) {
  const builtIn = scaffold.dirTemplateSource(path.join(deps.extensionUri.fsPath, 'templates'));
  const override = path.join(folder.uri.fsPath, '.modeldock', 'templates');
  return fs.existsSync(override) ? scaffold.overlayTemplateSource(scaffold.dirTemplateSource(override), builtIn) : builtIn;
}

function readExisting(root: string, rel: string): string | undefined {
  // Sync read is fine here: a handful of small files, once per command.
  try {
    return fs.readFileSync(path.join(root, rel), 'utf8');
  } catch {
    return undefined;
  }
}
