#!/usr/bin/env node
// The headless CLI: `modeldock detect|scaffold|lint|size`, over the same core/ the extension uses.
import type { CliIo } from './cli/io';

const USAGE = `usage: modeldock <command> [options]

commands:
  detect DIR [--json]                 report the ML frameworks, versions and needs of a project
  scaffold DIR [--target auto|cpu|gpu] [--cuda X.Y] [--runtime NAME] [--out DIR] [--force] [--dry-run] [--json]
                                      write a Dockerfile, .dockerignore, compose and Kubernetes manifests
  lint PATH... [--json]               validate Kubernetes/compose YAML and Dockerfiles
  size PATH [--gpu-type ID|auto] [--context N] [--concurrency N] [--runtime NAME] [--json]
                                      how many GPUs an LLM needs, with the arithmetic

Run 'modeldock <command> --help' for details.`;

type Sub = (argv: string[], io: CliIo) => Promise<number>;

// Each subcommand loads only its own part of core/.
const COMMANDS: Record<string, () => Promise<Sub>> = {
  detect: async () => (await import('./cli/detect')).run,
  scaffold: async () => (await import('./cli/scaffold')).run,
  lint: async () => (await import('./cli/lint')).run,
  size: async () => (await import('./cli/size')).run,
};

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.err(`modeldock: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  const sub = await load();
  return sub(rest, io);
}

if (require.main === module) {
  const io: CliIo = {
    out: (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
    err: (s) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`),
    cwd: process.cwd(),
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      io.err(`modeldock: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exitCode = 3;
    },
  );
}
