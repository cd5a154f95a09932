import * as vscode from 'vscode';
import { PreviewProvider } from '../containerize/previewProvider';

export const WIZARD_PREVIEW_SCHEME = 'modeldock-wizard-preview';

/**
 * The containerize PreviewProvider pattern under the wizard's own scheme. It subclasses
 * PreviewProvider so writePlan's diff-and-ask flow takes it as is; a scheme of its own keeps it
 * from competing with the command's provider for `modeldock-preview:` documents. Each `set`
 * gets a fresh URI (a revision in the query) because a diff editor caches the document of a URI.
 */
export class WizardPreviewProvider extends PreviewProvider {
  private readonly texts = new Map<string, string>();
  private readonly latest = new Map<string, string>();
  private revision = 0;

  override set(relPath: string, content: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: WIZARD_PREVIEW_SCHEME, path: `/${relPath}`, query: `r=${++this.revision}` });
    const key = uri.toString();
    // Only the newest proposal of a path is kept: older diff tabs show what they already loaded.
    const previous = this.latest.get(relPath);
    if (previous) this.texts.delete(previous);
    this.latest.set(relPath, key);
    this.texts.set(key, content);
    return uri;
  }

  override provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  override dispose(): void {
    this.texts.clear();
    this.latest.clear();
    super.dispose();
  }
}
