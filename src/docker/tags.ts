import { execFile } from 'node:child_process';
import * as path from 'node:path';

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

/** `<project>:<git-short-sha or dev>`; an explicit template from settings wins. */
export async function defaultImageTag(projectDir: string, options: { project?: string; template?: string } = {}): Promise<string> {
  const project = repositoryName(options.project ?? path.basename(path.resolve(projectDir)));
  const sha = (await gitShortSha(projectDir)) ?? 'dev';
  const template = options.template?.trim();
  if (template) return template.replace(/\$\{project\}/g, project).replace(/\$\{gitSha\}/g, sha);
  return `${project}:${sha}`;
}
