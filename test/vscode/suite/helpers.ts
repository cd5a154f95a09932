import * as vscode from 'vscode';
import type { ModelDockApi } from '../../../src/extension';
import { pollFor } from '../../shared/poll';

export const EXTENSION_ID = 'modeldock.modeldock';

export async function activated(): Promise<{ ext: vscode.Extension<ModelDockApi>; api: ModelDockApi; wallMs: number; wasActive: boolean }> {
  const ext = vscode.extensions.getExtension<ModelDockApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
  const wasActive = ext.isActive;
  const t0 = performance.now();
  const api = await ext.activate();
  return { ext, api, wallMs: performance.now() - t0, wasActive };
}

/** Polls for a state with a deadline (the shared poller of every test tier). */
export function waitFor<T>(
  what: string | (() => string),
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<T> {
  return pollFor(what, probe, timeoutMs, intervalMs);
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the suite needs a workspace folder');
  return folder.uri;
}


/** Keeps only elements that contain a `child` whose whole text is `text`. */
export interface Where {
  child: string;
  text: string;
}

/**
 * Asks the launcher (which holds the Playwright page of this very workbench) to look at the
 * real UI: see answerUi in scripts/lib/code-server.mjs.
 */
export async function ui<T = { ok: boolean; error?: string; texts?: string[]; values?: (string | null)[]; file?: string }>(
  req:
    | { op: 'text'; selector: string; where?: Where }
    | { op: 'attr'; selector: string; name: string; where?: Where }
    | { op: 'screenshot'; name: string }
    | { op: 'click'; selector: string; where?: Where }
    | { op: 'press'; key: string },
  timeoutMs = 20_000,
): Promise<T> {
  const dir = process.env.MODELDOCK_UI_ANSWERS;
  if (!dir) throw new Error('MODELDOCK_UI_ANSWERS is not set: run the suite through scripts/run-vscode-tests.mjs');
  const fs = await import('node:fs');
  const path = await import('node:path');
  // Unique across the suite: every test file is its own bundle with its own copy of this module.
  const { randomUUID } = await import('node:crypto');
  const id = randomUUID();
  console.log(`MODELDOCK_UI ${JSON.stringify({ id, ...req })}`);
  const file = path.join(dir, `${id}.json`);
  const raw = await waitFor(`UI answer ${id} (${req.op})`, () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined), timeoutMs);
  return JSON.parse(raw) as T;
}

/** Polls the workbench until some element matching `selector` has text matching `pattern`. */
export async function uiText(selector: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  let last: string[] = [];
  return waitFor(
    () => `a ${selector} matching ${pattern}; saw: ${JSON.stringify(last.slice(0, 20))}`,
    async () => {
      last = (await ui({ op: 'text', selector })).texts ?? [];
      return last.find((t) => pattern.test(t));
    },
    timeoutMs,
    200,
  );
}

/**
 * Deletes workspace files through VS Code's file service, so text models of files a test opened
 * are disposed with them; a delete behind VS Code's back leaves orphaned models that make a
 * later create of the same path misbehave.
 */
export async function removeFromWorkspace(...relPaths: string[]): Promise<void> {
  const root = workspaceRoot();
  for (const rel of relPaths) {
    const uri = vscode.Uri.joinPath(root, rel);
    try {
      await vscode.workspace.fs.delete(uri, { recursive: true, useTrash: false });
    } catch (err) {
      if (!(err instanceof vscode.FileSystemError && err.code === 'FileNotFound')) throw err;
    }
  }
}

/** Whether the engine serves BuildKit builds through the API (what the "auto" builder picks). */
export async function engineOffersBuildKit(): Promise<boolean> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { stdout } = await promisify(execFile)('docker', ['version', '--format', '{{.Server.APIVersion}}']);
  const [major, minor] = stdout.trim().split('.').map(Number);
  return (major ?? 0) > 1 || ((major ?? 0) === 1 && (minor ?? 0) >= 39);
}
