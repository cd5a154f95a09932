import * as vscode from 'vscode';

/** A modal question: the user picks one of `buttons` or dismisses it (undefined). */
export interface Prompt {
  readonly severity: 'info' | 'warning' | 'error';
  readonly message: string;
  readonly detail?: string;
  readonly buttons: readonly string[];
}

/** Answers prompts in place of the user: a button, or undefined for "dismissed". */
export type PromptAnswerer = (prompt: Prompt) => string | undefined | Promise<string | undefined>;

/**
 * Every modal question ModelDock asks goes through here. VS Code refuses modal dialogs while
 * extension tests run ("DialogService: refused to show dialog in tests"), so the one test API
 * (ModelDockApi.test.answerPrompts) can answer them instead; each automated answer is logged.
 * Nothing outside the extension host can reach it: not a command argument, not a link.
 */
export class Prompts {
  private answerer: PromptAnswerer | undefined;

  constructor(private readonly log: (message: string) => void) {}

  answerWith(answerer: PromptAnswerer): vscode.Disposable {
    this.answerer = answerer;
    return {
      dispose: () => {
        if (this.answerer === answerer) this.answerer = undefined;
      },
    };
  }

  async modal(p: Prompt): Promise<string | undefined> {
    if (this.answerer) {
      const raw = await this.answerer(p);
      const answer = raw !== undefined && p.buttons.includes(raw) ? raw : undefined;
      this.log(`prompt "${p.message.slice(0, 200)}" answered ${answer === undefined ? '(dismissed)' : `"${answer}"`} by ModelDockApi.test`);
      return answer;
    }
    const show = p.severity === 'error' ? vscode.window.showErrorMessage : p.severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    return show(p.message, { modal: true, ...(p.detail ? { detail: p.detail } : {}) }, ...p.buttons);
  }
}
