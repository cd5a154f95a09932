import * as vscode from 'vscode';
import { displayName } from '../../core/detect/names';
import type { DetectionResult } from '../../core/detect/types';
import type { WorkspaceDetection } from './workspaceDetection';

export const STATUS_BAR_ID = 'modeldock.status.detection';

/** "$(package) PyTorch 2.3.1 · GPU (CUDA 12.1)": click runs Containerize Model. */
export class DetectionStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly sub: vscode.Disposable;

  constructor(detection: WorkspaceDetection) {
    this.item = vscode.window.createStatusBarItem(STATUS_BAR_ID, vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'ModelDock: detected framework';
    this.item.command = 'modeldock.containerize';
    this.sub = detection.onDidChange((r) => this.render(r));
  }

  render(result: DetectionResult | undefined): void {
    if (!result || !result.primary) {
      this.item.hide();
      return;
    }
    const text = statusText(result);
    this.item.text = `$(package) ${text}`;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown(`**ModelDock** detected **${text}**\n\n`);
    for (const f of result.frameworks) {
      const ev = f.evidence[0];
      md.appendMarkdown(`- ${f.name}${f.version ? ` ${f.version}` : ''}${ev ? ` — \`${ev.file}${ev.line ? `:${ev.line}` : ''}\` ${ev.reason}` : ''}\n`);
    }
    if (result.python) md.appendMarkdown(`\nPython ${result.python}`);
    md.appendMarkdown('\n\nClick to containerize this model.');
    this.item.tooltip = md;
    this.item.accessibilityInformation = { label: `ModelDock detected ${text}. Activate to containerize the model.` };
    this.item.show();
  }

  dispose(): void {
    this.sub.dispose();
    this.item.dispose();
  }
}


export function statusText(r: DetectionResult): string {
  const primary = r.frameworks.find((f) => f.name === r.primary);
  const name = displayName(r.primary ?? '');
  const version = primary?.version ? ` ${primary.version}` : '';
  const target = r.accelerator === 'gpu' ? `GPU${r.cuda ? ` (CUDA ${r.cuda})` : ''}` : 'CPU';
  return `${name}${version} · ${target}`;
}
