import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import type { DiscoveryView } from './discovery';

/** The real process environment and file system, as discovery's injected view. */
export function nodeDiscoveryView(env: Readonly<Record<string, string | undefined>> = process.env): DiscoveryView {
  return {
    env,
    homeDir: homedir(),
    platform: process.platform,
    uid: typeof process.getuid === 'function' ? process.getuid() : undefined,
    exists: (p) => existsSync(p),
    readFile: (p) => {
      try {
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}
