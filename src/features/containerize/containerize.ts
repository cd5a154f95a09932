import * as vscode from 'vscode';
import type { ScaffoldChoices, ScaffoldPlan } from '../../core/scaffold/types';
import type { CommandSpec } from '../../platform/commands';
import type { Deps } from '../../platform/deps';
import { UserError } from '../../platform/errors';
import { askChoices, confirmUnverified } from './askChoices';
import { allowedRuntimes, applyChoices, patchFromScaffoldChoices, resultingGpuArch } from './choices';
import type { ContainerizeService } from './service';
import type { OverwritePolicy, WriteOutcome } from './writePlan';

/** Arguments for a scripted run (tests, other extensions): what is given is not asked. */
export interface ContainerizeRequest {
  folder?: string;
  choices?: ScaffoldChoices;
  /** Ask nothing: take the defaults for every choice not given. */
  interactive?: boolean;
  overwrite?: OverwritePolicy;
  /** Open the Dockerfile at the end (default true). */
  open?: boolean;
  /** Write an UNVERIFIED plan without asking (the CLI's --allow-unverified); default: ask. */
  allowUnverified?: boolean;
}

export interface ContainerizeResult {
  plan: ScaffoldPlan;
  outcome: WriteOutcome;
}

export interface Wizard {
  open(folder?: vscode.Uri): Promise<void>;
}

/**
 * The palette command opens the wizard (or Quick Picks, by setting). A call with arguments is a
 * scripted run (tests, other extensions) and goes straight to the shared path below.
 */
export function containerizeCommand(service: ContainerizeService, wizard: Wizard): CommandSpec {
  return {
    id: 'modeldock.containerize',
    title: 'Containerize Model',
    async run(deps, arg) {
      if (arg instanceof vscode.Uri) return deps.config.get('containerize.ui') === 'wizard' ? wizard.open(arg) : containerize(deps, service, { folder: arg.fsPath });
      if (arg === undefined && deps.config.get('containerize.ui') === 'wizard') return wizard.open();
      return containerize(deps, service, (arg ?? {}) as ContainerizeRequest);
    },
  };
}

/** The keyboard path, whatever the setting says. */
export function containerizeQuickCommand(service: ContainerizeService): CommandSpec {
  return {
    id: 'modeldock.containerizeQuick',
    title: 'Containerize Model (Quick Picks)',
    async run(deps, arg) {
      return containerize(deps, service, arg instanceof vscode.Uri ? { folder: arg.fsPath } : {});
    },
  };
}

export async function containerize(deps: Deps, service: ContainerizeService, req: ContainerizeRequest): Promise<ContainerizeResult> {
  const folder = await service.pickFolder(req.folder, { interactive: req.interactive });
  const detection = await service.detect(folder.uri);
  const planner = service.planner(folder.uri);

  // The same starting point as the wizard: the planner's defaults, then what the caller gave.
  const { patch, given } = patchFromScaffoldChoices(req.choices ?? {});
  const defaults = planner.defaults(detection);
  const cudaFor = (target: string) => (target === 'gpu' ? planner.cudaOptions(detection, resultingGpuArch(defaults, patch)) : []);
  const start = applyChoices(defaults, patch, cudaFor(patch.target ?? defaults.target), allowedRuntimes(detection));
  const refused = Object.entries(start.invalid);
  if (refused.length > 0) throw new UserError(`Containerize Model: ${refused.map(([k, v]) => `${k}: ${v}`).join('; ')}.`);
  const choices = req.interactive === false ? start.choices : await askChoices(detection, planner, start.choices, given);

  const plan = planner.plan(detection, choices);
  for (const n of plan.notes) deps.log.info(`scaffold: ${n}`);
  if (plan.errors.length > 0) throw new UserError(plan.errors.join(' '), 'Pick another CUDA version or target.');
  if (plan.unverified && !req.allowUnverified) await confirmUnverified(deps.prompts, plan.unverified);

  // `skip` marks the user's own code (e.g. serve.py) that the scaffold never replaces.
  const files = plan.files.filter((f) => f.action !== 'skip');
  const outcome = await service.write(folder.uri, files, req.overwrite ?? 'ask');
  deps.log.info(
    `containerize ${folder.name}: ${plan.target} on ${plan.baseImage}; created ${outcome.created.length}, overwritten ${outcome.overwritten.length}, kept ${outcome.skipped.length}, unchanged ${outcome.unchanged.length}`,
  );
  if (req.open !== false) {
    const dockerfile = plan.container.dockerfile;
    if (dockerfile) await vscode.window.showTextDocument(vscode.Uri.joinPath(folder.uri, ...dockerfile.split('/')), { preview: false });
    const summary = `ModelDock: ${outcome.created.length + outcome.overwritten.length} file(s) written for a ${plan.target.toUpperCase()} image${plan.baseImage ? ` on ${plan.baseImage}` : ''}.`;
    void vscode.window.showInformationMessage(summary + (plan.notes.length ? ` ${plan.notes[0]}` : ''));
  }
  return { plan, outcome };
}
