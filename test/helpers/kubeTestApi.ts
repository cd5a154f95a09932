// The cluster adapter's test API, in one place and out of the product: what the tests and the
// benchmark use to drive the tree model.
import type { ClusterTreeModel, TreeNode } from '../../src/kube';

/** A node's children once they are no longer "Loading…"; rejects after `timeoutMs`. */
function resolveChildren(model: ClusterTreeModel, node: TreeNode | undefined, timeoutMs = 10_000): Promise<TreeNode[]> {
  return new Promise((resolve, reject) => {
    const isLoading = (c: TreeNode[]) => c.some((n) => n.type === 'message' && n.kind === 'loading');
    const first = model.getChildren(node);
    if (!isLoading(first)) return resolve(first);
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`children of ${node?.id ?? 'root'} still loading after ${timeoutMs} ms`));
    }, timeoutMs);
    const sub = model.onDidChange(() => {
      const c = model.getChildren(node);
      if (isLoading(c)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(c);
    });
  });
}

/** Delivers the coalesced changes now instead of after the coalescing delay (the benchmark counts them). */
function flushPending(model: ClusterTreeModel): void {
  // Bracket access is TypeScript's sanctioned way past `private`; kept to this one test API.
  model['coalescer'].fire();
}

/** resolveChildren uses only the model's public surface (getChildren, onDidChange); flushPending reaches the coalescer on purpose. */
export const kubeTestApi = { resolveChildren, flushPending };
export { resolveChildren, flushPending };
