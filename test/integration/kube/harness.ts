/**
 * The integration suite's cluster: a real control plane (etcd + kube-apiserver + kwok, built from
 * source: test/helpers/controlPlane.ts) behind a fault proxy by default, or an existing cluster
 * when MODELDOCK_TEST_KUBECONFIG points at a kubeconfig (kind/k3d/minikube). Against an existing
 * cluster the suite creates a namespace `modeldock-it-<random>`, runs the tests that need no
 * control of the cluster (list, watch, apply, logs of a busybox pod) and skips the others (410,
 * bookmarks, restarts on demand, RBAC users, faults), then deletes what it created.
 */
import { randomBytes } from 'node:crypto';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../helpers/controlPlane';
import { createClusterClient, loadKubeconfig, type ClusterClient, type LoadedKubeconfig } from '../../../src/kube';
import type { TuningOverrides } from '../../../src/kube/tuning';

export interface Harness {
  readonly real: boolean;
  /** The control plane (absent against an existing cluster). */
  readonly cp?: ControlPlane;
  readonly kubeconfigPath: string;
  readonly namespace: string;
  kubeconfig(path?: string): Promise<LoadedKubeconfig>;
  client(context?: string, kubeconfigPath?: string, tuning?: TuningOverrides): Promise<ClusterClient>;
  /** Creates a running pod that printed `lines` (control plane: kwok + a log file; real: busybox echo). */
  addPod(name: string, lines?: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export const REAL_KUBECONFIG = process.env.MODELDOCK_TEST_KUBECONFIG;

export async function startHarness(opts: ControlPlaneOptions = {}): Promise<Harness> {
  const clients: ClusterClient[] = [];
  const track = async (make: Promise<ClusterClient>) => {
    const c = await make;
    clients.push(c);
    return c;
  };
  if (REAL_KUBECONFIG) {
    const namespace = `modeldock-it-${randomBytes(3).toString('hex')}`;
    const kubeconfig = (path = REAL_KUBECONFIG) => loadKubeconfig({ setting: path });
    const admin = await track(createClusterClient({ kubeconfig: await kubeconfig() }));
    await admin.applyServerSide([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }], { dryRun: false });
    return {
      real: true,
      kubeconfigPath: REAL_KUBECONFIG,
      namespace,
      kubeconfig,
      client: async (context, path, tuning) => track(createClusterClient({ kubeconfig: await kubeconfig(path), ...(context ? { context } : {}), ...(tuning ? { tuning } : {}) })),
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
  const cp = await startControlPlane({ ...opts, teamNamespaces: opts.teamNamespaces ?? ['ml', 'open'], namespaces: ['ml', 'open', 'secret', ...(opts.namespaces ?? [])] });
  const kubeconfig = (path = cp.kubeconfigPath) => loadKubeconfig({ setting: path });
  return {
    real: false,
    cp,
    kubeconfigPath: cp.kubeconfigPath,
    namespace: 'ml',
    kubeconfig,
    client: async (context, path, tuning) => track(createClusterClient({ kubeconfig: await kubeconfig(path), ...(context ? { context } : {}), ...(tuning ? { tuning } : {}) })),
    async addPod(name, lines = []) {
      await cp.addPod({ name, namespace: 'ml' });
      if (lines.length) await cp.appendLog('ml', name, 'main', lines);
    },
    async close() {
      for (const c of clients) c.dispose();
      await cp.stop();
    },
  };
}

/** Waits for a condition signalled by events, re-checking on each; fails at the deadline. */
export function until(check: () => boolean, subscribe: (wake: () => void) => { dispose(): void }, what: string, timeoutMs = 20_000): Promise<void> {
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

/** For state that changes without an event we can subscribe to (request records, server state): poll with a deadline. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
