import * as vscode from 'vscode';
import { describeYaml, type ClusterTreeModel } from '../../kube';

export const SCHEME = 'modeldock-k8s';

/**
 * Read-only documents for `modeldock-k8s:` URIs: describe (the live object, fetched on open) and
 * the two sides of an apply dry-run diff (held in memory until the diff closes).
 *   modeldock-k8s:/describe/<context>/<namespace|_>/<Kind>/<name>.yaml
 *   modeldock-k8s:/apply/<id>/<live|dry-run>.yaml
 */
export class KubeDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly memory = new Map<string, string>();

  constructor(private readonly model: ClusterTreeModel) {}

  static describeUri(context: string, namespace: string | undefined, kind: string, name: string): vscode.Uri {
    const seg = (s: string) => encodeURIComponent(s);
    return vscode.Uri.from({ scheme: SCHEME, path: `/describe/${seg(context)}/${seg(namespace ?? '_')}/${seg(kind)}/${seg(name)}.yaml` });
  }

  put(path: string, text: string): vscode.Uri {
    this.memory.set(path, text);
    const uri = vscode.Uri.from({ scheme: SCHEME, path });
    this.emitter.fire(uri);
    return uri;
  }

  /** Re-fetch a describe document (the Refresh of an open describe editor). */
  reload(uri: vscode.Uri): void {
    this.emitter.fire(uri);
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const kept = this.memory.get(uri.path);
    if (kept !== undefined) return kept;
    const parts = uri.path.split('/').slice(1).map(decodeURIComponent);
    if (parts[0] !== 'describe' || parts.length !== 5) return `# unknown document ${uri.toString()}\n`;
    const [, context, ns, kind, file] = parts as [string, string, string, string, string];
    const client = this.model.client;
    if (!client || client.currentContext !== context) return `# context ${context} is not active any more\n`;
    const name = file.replace(/\.yaml$/, '');
    try {
      const obj = await client.get(kind, ns === '_' ? undefined : ns, name);
      return obj ? describeYaml(obj) : `# ${kind} ${name} not found (deleted?)\n`;
    } catch (err) {
      return `# could not read ${kind} ${name}: ${err instanceof Error ? err.message : String(err)}\n`;
    }
  }

  dispose(): void {
    this.emitter.dispose();
    this.memory.clear();
  }
}
