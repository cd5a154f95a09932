import type * as vscode from 'vscode';
import type { Config } from './config';
import type { Logger } from './log';
import type { Prompts } from './prompts';

/** What every feature's `register` receives: no feature reaches for a global instead. */
export interface Deps {
  readonly log: Logger;
  readonly config: Config;
  readonly extensionUri: vscode.Uri;
  /** Every modal question goes through here (and the test API can answer it). */
  readonly prompts: Prompts;
}
