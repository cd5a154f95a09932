// The yaml package (about 100 KB of modules) is evaluated only when a YAML file is parsed:
// most projects have none, and the CLI starts cold every time.
import type * as YamlModule from 'yaml';

export type { Document, Node, YAMLMap } from 'yaml';

export function yaml(): typeof YamlModule {
  // A deferred require is the point here: an import would evaluate the package at startup.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('yaml') as typeof YamlModule;
}
