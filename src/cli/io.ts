/** What a CLI subcommand may touch besides the file system: testable without spawning. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
}

/** Minimal argv parser: `--flag`, `--key value`, `--key=value`, positionals. Unknown flags are errors. */
export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], spec: { boolean: string[]; string: string[] }): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const key = a.slice(2, eq >= 0 ? eq : undefined);
    if (spec.boolean.includes(key)) {
      if (eq >= 0) throw new UsageError(`--${key} takes no value`);
      flags.set(key, true);
    } else if (spec.string.includes(key)) {
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${key} needs a value`);
      flags.set(key, value);
    } else {
      throw new UsageError(`unknown option --${key}`);
    }
  }
  return { positionals, flags };
}
