// The Deploy feature's typed API: what the wizard's Deploy button, other features and the
// extension-host tests call (never command-id strings). Calls run through the same command
// wrapper as the palette commands (trust gate, logging, one short message, quiet on cancel).
import type * as vscode from 'vscode';
import type { RolloutSnapshot } from './follower';
import type { DeployOutcome, DeploySession } from './pipeline';
import type { SmokeResult } from './smokeRunner';

export interface DeployRequest {
  /** A `k8s/` folder, a manifest in it, or a project folder with one. Default: the workspace folder (asked when several). */
  readonly target?: vscode.Uri;
  /** Skip the pickers (the modal confirmation with the diff is never skipped). */
  readonly context?: string;
  readonly namespace?: string;
}

export interface DeployApi {
  /** undefined: cancelled, refused (untrusted) or failed (already reported to the user). */
  deploy(request?: DeployRequest): Promise<DeployOutcome | undefined>;
  /** Port-forward + the sample request against the newest successful deploy (or `session`). */
  smokeTest(session?: DeploySession): Promise<SmokeResult | undefined>;
  /** Follows a Deployment's rollout in the Deploy view (what undo and resume announce). */
  follow(target: { readonly context: string; readonly namespace: string; readonly name: string; readonly cause?: string }): Promise<RolloutSnapshot | undefined>;
  /** The sessions the Deploy view shows, newest first. */
  readonly sessions: readonly DeploySession[];
  /** Fires whenever a session changes (steps, rollout snapshots, smoke test). */
  readonly onDidChange: vscode.Event<DeploySession>;
}
