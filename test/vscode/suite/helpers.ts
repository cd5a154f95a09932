import * as vscode from 'vscode';
import type { ModelDockApi } from '../../../src/extension';

export const EXTENSION_ID = 'modeldock.modeldock';

export async function activated(): Promise<{ ext: vscode.Extension<ModelDockApi>; api: ModelDockApi; wallMs: number; wasActive: boolean }> {
  const ext = vscode.extensions.getExtension<ModelDockApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
  const wasActive = ext.isActive;
  const t0 = performance.now();
  const api = await ext.activate();
  return { ext, api, wallMs: performance.now() - t0, wasActive };
}

/** Polls for a state with a deadline, for things that settle asynchronously (no fixed waits). */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the suite needs a workspace folder');
  return folder.uri;
}
