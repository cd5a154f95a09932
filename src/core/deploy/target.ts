// Where a deploy pushes and what it writes into the rollout history: the registry setting checked
// as a reference prefix (a host, optionally a path), the pushed reference derived from the built
// image, and the change-cause annotation.
import { repositoryOf } from './manifests';

/** `host[:port][/path…]`, lowercase, no scheme. */
const REGISTRY = /^(?:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)*|\[[0-9a-f:]{2,39}\])(?::[0-9]{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*){0,8}$/;

/** The registry setting as a prefix, or why it is not one. */
export function parseRegistry(setting: string): { prefix: string; host: string } | { problem: string } {
  let s = setting.trim().replace(/\/+$/, '');
  if (!s) return { problem: 'No registry is set: set modeldock.deploy.registry (for example 127.0.0.1:5000 or ghcr.io/your-org).' };
  if (/^[a-z]+:\/\//i.test(s)) return { problem: `modeldock.deploy.registry is "${setting}": give the registry without a scheme (for example ${s.replace(/^[a-z]+:\/\//i, '')}).` };
  s = s.toLowerCase() === s ? s : '';
  if (!s || s.length > 255 || !REGISTRY.test(s)) return { problem: `modeldock.deploy.registry "${setting.slice(0, 100)}" is not a registry address (host[:port][/path], lowercase).` };
  const slash = s.indexOf('/');
  const host = slash < 0 ? s : s.slice(0, slash);
  // A bare path component (`myuser`) would be read by Docker as a Docker Hub namespace.
  const looksLikeHost = host === 'localhost' || host.includes('.') || host.includes(':') || host.startsWith('[');
  return looksLikeHost ? { prefix: s, host } : { prefix: `docker.io/${s}`, host: 'docker.io' };
}

/** The tag of a `name:tag` reference (`latest` when none). */
export function tagOf(ref: string): string {
  const at = ref.indexOf('@');
  const rest = at >= 0 ? ref.slice(0, at) : ref;
  const colon = rest.lastIndexOf(':');
  return colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : 'latest';
}

/**
 * The reference the built image is pushed as: the registry prefix and the image's last path
 * component, same tag. An image already named under the registry keeps its name.
 */
export function pushTarget(localImage: string, registryPrefix: string): string {
  const repo = repositoryOf(localImage);
  const tag = tagOf(localImage);
  if (repo.startsWith(`${registryPrefix}/`)) return `${repo}:${tag}`;
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  return `${registryPrefix}/${last}:${tag}`;
}

/** `kubernetes.io/change-cause`: what, from where, when; shown by rollout history. */
export function changeCause(o: { readonly image: string; readonly digest: string; readonly project: string; readonly at: Date }): string {
  return `ModelDock deploy of ${o.image} (${o.digest.slice(0, 19)}) from ${o.project} at ${o.at.toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
}
