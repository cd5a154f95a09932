// The VS Code-free half of Undo Rollout: the server's dry run of the rollback, and whether the
// registry still serves the images the target revision would run (a registry's retention policy
// may have deleted them: the rollback would then end in ImagePullBackOff).
import type { ManifestCheck } from '../../docker/registry';
import type { ApplyResult, ClusterClient } from '../../kube/types';

export interface UndoPlan {
  readonly dry: ApplyResult;
  readonly images: readonly string[];
  /** Images the registry refused, with its own words. */
  readonly missing: readonly { readonly image: string; readonly message: string }[];
  /** The live object's version the dry run saw: the real patch is guarded by it. */
  readonly resourceVersion?: string;
}

function templateImages(obj: ApplyResult['after']): string[] {
  const spec = (obj.spec as { template?: { spec?: { containers?: unknown; initContainers?: unknown } } } | undefined)?.template?.spec;
  const list = [...(Array.isArray(spec?.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec?.containers) ? spec.containers : [])];
  return list.map((c) => (c as { image?: unknown }).image).filter((i): i is string => typeof i === 'string');
}

/** Images that name a registry and a digest or tag: what a registry can be asked about. */
function askable(image: string): boolean {
  return image.includes('/') && (image.includes('@sha256:') || /:[^/]+$/.test(image));
}

export async function planUndo(client: ClusterClient, namespace: string, name: string, revision: number, checkImage?: (ref: string) => Promise<ManifestCheck>): Promise<UndoPlan> {
  const dry = await client.rollbackDeployment(namespace, name, revision, { dryRun: true });
  const images = templateImages(dry.after);
  const missing: { image: string; message: string }[] = [];
  if (checkImage) {
    for (const image of images.filter(askable)) {
      const c = await checkImage(image);
      // Unreachable from here is not the registry's answer: the cluster may still reach it.
      if (!c.ok && c.status > 0) missing.push({ image, message: c.message });
    }
  }
  const rv = dry.before?.metadata.resourceVersion;
  return { dry, images, missing, ...(typeof rv === 'string' ? { resourceVersion: rv } : {}) };
}
