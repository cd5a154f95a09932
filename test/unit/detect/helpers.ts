// Shared by the detect tests: fixture paths and throwaway trees built at test time (trees with
// .gitignore, node_modules or virtualenvs cannot live in the repository's own fixtures).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after } from 'node:test';

export const FIXTURES = resolve(__dirname, '../../fixtures/detect');

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** Creates a temp folder holding `files` (path → content), removed when the test file ends. */
export function tempTree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'modeldock-detect-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  for (const [rel, content] of Object.entries(files)) {
    const abs = join(root, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
  return root;
}
