// `modeldock detect DIR [--json]`: the JSON is the contract other tooling reads, exactly.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { detectProject } from '../core/detect/index';
import { formatBytes } from '../core/format';
import { toReport, type DetectionResult } from '../core/detect/types';
import { parseArgs, UsageError, type CliIo } from './io';

const HELP = `usage: modeldock detect DIR [--json]

Reports the ML frameworks a project uses (with versions and the evidence for each), whether it
needs a GPU and which CUDA, the Python version, the entrypoint and the model artifacts.

  --json    print the report as JSON (the stable contract)`;


export function formatSummary(r: DetectionResult): string {
  const out: string[] = [`Project: ${r.root}`];
  if (!r.frameworks.length) out.push('Frameworks: none detected');
  for (const f of r.frameworks) {
    const tag = f.name === r.primary ? ' (primary)' : '';
    out.push(`Framework: ${f.name} ${f.version ?? '(version not pinned)'}${tag}`);
    for (const e of f.evidence) out.push(`    ${e.file}${e.line ? `:${e.line}` : ''}  ${e.reason}`);
  }
  out.push(`Accelerator: ${r.accelerator}${r.cuda ? ` (CUDA ${r.cuda})` : ''}`);
  if (r.accelerator === 'gpu' && !r.cuda) out.push('CUDA: not pinned');
  out.push(`Python: ${r.python ?? 'not specified'}`);
  out.push(`Entrypoint: ${r.entrypoint ? `${r.entrypoint.file} (${r.entrypoint.kind})` : 'none found'}`);
  if (r.artifacts.length) {
    const total = r.artifacts.reduce((n, a) => n + a.bytes, 0);
    out.push(`Artifacts (${formatBytes(total)} in total):`);
    for (const a of r.artifacts) out.push(`    ${a.file}  ${a.format}  ${formatBytes(a.bytes)}`);
  } else out.push('Artifacts: none');
  if (r.warnings.length) {
    out.push('Warnings:');
    for (const w of r.warnings) out.push(`  - ${w}`);
  }
  return out.join('\n');
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  let dir: string;
  let json: boolean;
  try {
    const args = parseArgs(argv, { boolean: ['json', 'help'], string: [] });
    if (args.flags.has('help')) {
      io.out(HELP);
      return 0;
    }
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length ? 'expected exactly one DIR' : 'missing DIR');
    dir = resolve(io.cwd, args.positionals[0]!);
    json = args.flags.has('json');
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`modeldock detect: ${err.message}\n\n${HELP}`);
      return 2;
    }
    throw err;
  }
  const st = await stat(dir).catch(() => null);
  if (!st?.isDirectory()) {
    io.err(`modeldock detect: ${st ? 'not a folder' : 'no such folder'}: ${dir}`);
    return 2;
  }
  const result = await detectProject(dir);
  io.out(json ? JSON.stringify(toReport(result), null, 2) : formatSummary(result));
  return 0;
}
