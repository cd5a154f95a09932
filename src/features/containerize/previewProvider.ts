import * as vscode from 'vscode';

export const PREVIEW_SCHEME = 'modeldock-preview';

/**
 * Read-only documents holding proposed file contents, so they can be diffed against disk: the
 * one preview provider of Containerize (wizard and Quick Picks). Each `set` gets a fresh URI (a
 * revision in the query) because a diff editor caches the document of a URI; only the newest
 * proposal of a path is kept, older diff tabs show what they already loaded.
 */
export class PreviewProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly latest = new Map<string, string>();
  private revision = 0;

  set(relPath: string, content: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${relPath}`, query: `r=${++this.revision}` });
    const key = uri.toString();
    const previous = this.latest.get(relPath);
    if (previous) this.texts.delete(previous);
    this.latest.set(relPath, key);
    this.texts.set(key, content);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.texts.clear();
    this.latest.clear();
  }
}
