// One image-tag rule for palette Build/Run, the wizard, compose and the Kubernetes manifests:
// the image the generated files reference is the image Build produces.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { dnsName } from '../core/scaffold/project';
import { DEFAULT_CHOICES } from '../core/scaffold/types';

/** Docker repository names: lowercase [a-z0-9] separated by ., _, __ or -. */
export function repositoryName(raw: string): string {
  const cleaned = raw
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[._-]+$/g, '')
    .replace(/[._-]{2,}/g, '-');
  return cleaned || 'model';
}

/** `git rev-parse --short HEAD` in `dir`, without a shell; undefined outside a repository. */
export function gitShortSha(dir: string, timeoutMs = 5000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, timeout: timeoutMs, windowsHide: true }, (err, stdout) => {
      const sha = stdout.trim();
      resolve(err || !/^[0-9a-f]{4,40}$/.test(sha) ? undefined : sha);
    });
  });
}

const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const IMAGE_REF = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/;

/**
 * The `image:` of the compose service that builds `dockerfile` (relative to `dir`), from a
 * compose file in `dir`: what ModelDock's generated compose.yaml and manifests reference.
 */
export function imageFromCompose(dir: string, dockerfile: string): string | undefined {
  for (const name of COMPOSE_FILES) {
    let text: string;
    try {
      text = readFileSync(path.join(dir, name), 'utf8');
    } catch {
      continue;
    }
    if (text.length > 1024 * 1024) continue;
    const doc = parseDocument(text).toJS({ maxAliasCount: 50 }) as unknown;
    const services = typeof doc === 'object' && doc !== null ? (doc as { services?: unknown }).services : undefined;
    if (typeof services !== 'object' || services === null) continue;
    for (const svc of Object.values(services as Record<string, unknown>)) {
      if (typeof svc !== 'object' || svc === null) continue;
      const { build, image } = svc as { build?: unknown; image?: unknown };
      if (typeof image !== 'string' || !IMAGE_REF.test(image) || build === undefined) continue;
      const context = typeof build === 'string' ? build : typeof build === 'object' && build !== null ? (build as { context?: unknown }).context : undefined;
      const file = typeof build === 'object' && build !== null ? (build as { dockerfile?: unknown }).dockerfile : undefined;
      const ctx = typeof context === 'string' ? context : '.';
      const built = path.normalize(path.join(dir, ctx, typeof file === 'string' ? file : 'Dockerfile'));
      if (built === path.normalize(path.join(dir, dockerfile))) return image;
    }
  }
  return undefined;
}

export interface ImageRefOptions {
  /** `modeldock.docker.imageTag`: `${project}`, `${gitSha}` and `${version}` are replaced. */
  template?: string;
  /** The Dockerfile being built, relative to `projectDir` (its compose service names the image). */
  dockerfile?: string;
}

/**
 * The image a Build of `projectDir` produces: the settings template when set; else the image the
 * generated compose file gives the service built from this Dockerfile; else `<project>:0.1.0`,
 * the name and tag Containerize Model writes into compose and the manifests.
 */
export async function defaultImageRef(projectDir: string, options: ImageRefOptions = {}): Promise<string> {
  const dir = path.resolve(projectDir);
  const project = dnsName(path.basename(dir));
  const template = options.template?.trim();
  if (template) {
    const sha = template.includes('${gitSha}') ? ((await gitShortSha(dir)) ?? 'dev') : '';
    return template.replace(/\$\{project\}/g, project).replace(/\$\{gitSha\}/g, sha).replace(/\$\{version\}/g, DEFAULT_CHOICES.imageTag);
  }
  const fromCompose = imageFromCompose(path.dirname(path.join(dir, options.dockerfile ?? 'Dockerfile')), path.basename(options.dockerfile ?? 'Dockerfile'));
  return fromCompose ?? `${project}:${DEFAULT_CHOICES.imageTag}`;
}
