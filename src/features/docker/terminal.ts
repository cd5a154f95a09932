import * as vscode from 'vscode';

/**
 * A pseudo-terminal that shows engine output as-is: ANSI colours and cursor codes intact, only
 * bare LF turned into CRLF as a terminal expects.
 */
export class OutputTerminal implements vscode.Disposable {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  private readonly closed = new vscode.EventEmitter<void>();
  private opened = false;
  private buffer: string[] = [];
  private isClosed = false;
  readonly terminal: vscode.Terminal;
  /** Fires when the user closes the terminal. */
  readonly onDidClose = this.closed.event;

  constructor(name: string) {
    const pty: vscode.Pseudoterminal = {
      onDidWrite: this.writeEmitter.event,
      onDidClose: this.closeEmitter.event,
      open: () => {
        this.opened = true;
        for (const b of this.buffer) this.writeEmitter.fire(b);
        this.buffer = [];
      },
      close: () => {
        this.isClosed = true;
        this.closed.fire();
      },
    };
    this.terminal = vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('package') });
  }

  get userClosed(): boolean {
    return this.isClosed;
  }

  write(text: string): void {
    const data = text.replace(/\r?\n/g, '\r\n');
    // Output produced before the terminal opened is kept, not lost.
    if (this.opened) this.writeEmitter.fire(data);
    else this.buffer.push(data);
  }

  show(preserveFocus = true): void {
    this.terminal.show(preserveFocus);
  }

  dispose(): void {
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
    this.closed.dispose();
  }
}
