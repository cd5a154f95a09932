/**
 * The integration suite's cluster: the in-repo Kubernetes API test server by default, or a real
 * cluster when MODELDOCK_TEST_KUBECONFIG points at a kubeconfig (kind/k3d/minikube). Against a
 * real cluster the suite creates a namespace `modeldock-it-<random>`, runs the tests that need no
 * server-side control (list, watch, apply, logs of a busybox pod) and skips the others (410,
 * bookmarks, restarts on demand, RBAC denials), then deletes what it created.
 */
import { randomBytes } from 'node:crypto';
import { startKubeTestServer, type KubeTestServer } from '../../kube-server';
import { createClusterClient, loadKubeconfig, type ClusterClient, type LoadedKubeconfig } from '../../../src/kube';

export interface Harness {
  readonly real: boolean;
  readonly server?: KubeTestServer;
  readonly kubeconfigPath: string;
  readonly namespace: string;
  kubeconfig(): Promise<LoadedKubeconfig>;
  client(context?: string): Promise<ClusterClient>;
  /** Creates a running pod that prints `lines` (server: appended log; real: busybox echo). */
  addPod(name: string, lines?: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export const REAL_KUBECONFIG = process.env.MODELDOCK_TEST_KUBECONFIG;

export async function startHarness(): Promise<Harness> {
  const clients: ClusterClient[] = [];
  if (REAL_KUBECONFIG) {
    const namespace = `modeldock-it-${randomBytes(3).toString('hex')}`;
    const kubeconfig = () => loadKubeconfig({ setting: REAL_KUBECONFIG });
    const admin = await createClusterClient({ kubeconfig: await kubeconfig() });
    clients.push(admin);
    await admin.applyServerSide([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }], { dryRun: false });
    return {
      real: true,
      kubeconfigPath: REAL_KUBECONFIG,
      namespace,
      kubeconfig,
      async client(context) {
        const c = await createClusterClient({ kubeconfig: await kubeconfig(), ...(context ? { context } : {}) });
        clients.push(c);
        return c;
      },
      async addPod(name, lines = ['hello']) {
        const script = lines.map((l) => `echo '${l.replace(/'/g, '')}'`).join('; ') + '; sleep 3600';
        await admin.applyServerSide(
          [
            {
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { name, namespace },
              spec: { containers: [{ name: 'main', image: 'busybox:1.36', command: ['sh', '-c', script] }], terminationGracePeriodSeconds: 0 },
            },
          ],
          { dryRun: false },
        );
      },
      async close() {
        // Namespace deletion cascades to everything the suite created.
        await admin.delete('Namespace', undefined, namespace);
        for (const c of clients) c.dispose();
      },
    };
  }
  const server = await startKubeTestServer({ tokens: { 'admin-token': 'admin', 'alice-token': 'alice' } });
  server.addNamespace('ml');
  const kubeconfigPath = await server.writeKubeconfig({ extraUsers: { alice: 'alice-token', bad: 'wrong-token' } });
  const kubeconfig = () => loadKubeconfig({ setting: kubeconfigPath });
  return {
    real: false,
    server,
    kubeconfigPath,
    namespace: 'ml',
    kubeconfig,
    async client(context) {
      const c = await createClusterClient({ kubeconfig: await kubeconfig(), ...(context ? { context } : {}) });
      clients.push(c);
      return c;
    },
    async addPod(name, lines = []) {
      server.addPod({ name, namespace: 'ml' });
      if (lines.length) server.appendLog('ml', name, 'main', lines);
    },
    async close() {
      for (const c of clients) c.dispose();
      await server.stop();
    },
  };
}

/** Waits for a condition signalled by events, re-checking on each; fails at the deadline. */
export function until(check: () => boolean, subscribe: (wake: () => void) => { dispose(): void }, what: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const sub = subscribe(() => {
      if (!check()) return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

/** For state that changes without an event we can subscribe to (server-side counters): poll with a deadline. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
