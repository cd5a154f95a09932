// `modeldock detect DIR [--json]`: the JSON is the contract other tooling reads, exactly.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { detect, MAX_FILE_BUDGET, nodeFsSyncReads } from '../core/detect/index';
import { formatBytes } from '../core/format';
import { printable } from '../core/safePath';
import { toReport, type DetectionResult } from '../core/detect/types';
import { parseArgs, UsageError, type CliIo } from './io';

const HELP = `usage: modeldock detect DIR [--json] [--file-budget N]

Reports the ML frameworks a project uses (with versions and the evidence for each), whether it
needs a GPU and which CUDA, the Python version, the entrypoint and the model artifacts.

  --json             print the report as JSON (the stable contract)
  --file-budget N    walk at most N files (default 20000, at most ${MAX_FILE_BUDGET})`;

/** Everything a workspace wrote goes to a terminal escaped: names, evidence, warnings. */
const p = (s: string) => printable(s, 300);

export function formatSummary(r: DetectionResult): string {
  const out: string[] = [`Project: ${p(r.root)}`];
  if (!r.frameworks.length) out.push('Frameworks: none detected');
  for (const f of r.frameworks) {
    const tag = f.name === r.primary ? ' (primary)' : f.role === 'data' ? ' (data pipeline only: not the model framework)' : '';
    out.push(`Framework: ${f.name} ${f.version ?? '(version not pinned)'}${tag}`);
    for (const e of f.evidence) out.push(`    ${p(e.file)}${e.line ? `:${e.line}` : ''}  ${p(e.reason)}`);
  }
  out.push(`Accelerator: ${r.accelerator}${r.cuda ? ` (CUDA ${r.cuda})` : ''}`);
  if (r.accelerator === 'gpu' && !r.cuda) out.push('CUDA: not pinned');
  out.push(`Python: ${r.python ?? 'not specified'}`);
  const e = r.entrypoint;
  out.push(`Entrypoint: ${e ? `${p(e.file)} (${e.kind}${e.object ? `, ${p(e.object)}` : ''})` : 'none found'}`);
  if (r.systemPackages?.length) out.push(`System packages: ${r.systemPackages.map((s) => p(s.name)).join(' ')} (${[...new Set(r.systemPackages.map((s) => p(s.file)))].join(', ')})`);
  if (r.artifacts.length) {
    const total = r.artifacts.reduce((n, a) => n + a.bytes, 0);
    out.push(`Artifacts (${formatBytes(total)} in total):`);
    for (const a of r.artifacts) out.push(`    ${p(a.file)}  ${a.format}  ${formatBytes(a.bytes)}`);
  } else out.push('Artifacts: none');
  if (r.llm) {
    const l = r.llm;
    out.push('Large language model:');
    for (const m of l.models) {
      const what = m.kind === 'gguf' ? 'GGUF' : `${m.architectures.map(p).join(', ') || 'Hugging Face folder'}${m.quantization ? `, ${p(m.quantization.method)}${m.quantization.bits ? ` ${m.quantization.bits}-bit` : ''}` : ''}`;
      out.push(`    ${p(m.path)}  ${what}  ${formatBytes(m.bytes)}`);
      for (const e of m.evidence) out.push(`        ${p(e.file)}${e.line ? `:${e.line}` : ''}  ${p(e.reason)}`);
    }
    for (const rt of l.runtimes) out.push(`    runtime ${rt.name}: ${rt.evidence.map((e) => `${p(e.file)}${e.line ? `:${e.line}` : ''}`).join(', ')}`);
    for (const e of l.code) out.push(`    ${p(e.file)}${e.line ? `:${e.line}` : ''}  ${p(e.reason)}`);
    if (l.hubModels.length) out.push(`    Hub models the code loads: ${l.hubModels.map((h) => `${p(h.id)} (${p(h.file)}:${h.line})`).join(', ')}`);
    out.push('    Size it for a GPU: modeldock size PATH --gpu-type TYPE');
  }
  if (r.warnings.length) {
    out.push('Warnings:');
    for (const w of r.warnings) out.push(`  - ${p(w)}`);
  }
  return out.join('\n');
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  let dir: string;
  let json: boolean;
  let fileBudget: number | undefined;
  try {
    const args = parseArgs(argv, { boolean: ['json', 'help'], string: ['file-budget'] });
    if (args.flags.has('help')) {
      io.out(HELP);
      return 0;
    }
    if (args.positionals.length !== 1) throw new UsageError(args.positionals.length ? 'expected exactly one DIR' : 'missing DIR');
    dir = resolve(io.cwd, args.positionals[0]!);
    json = args.flags.has('json');
    const budget = args.flags.get('file-budget');
    if (typeof budget === 'string') {
      if (!/^\d+$/.test(budget) || Number(budget) < 1 || Number(budget) > MAX_FILE_BUDGET) throw new UsageError(`--file-budget must be a whole number from 1 to ${MAX_FILE_BUDGET}`);
      fileBudget = Number(budget);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`modeldock detect: ${err.message}\n\n${HELP}`);
      return 2;
    }
    throw err;
  }
  const st = await stat(dir).catch(() => null);
  if (!st?.isDirectory()) {
    io.err(`modeldock detect: ${st ? 'not a folder' : 'no such folder'}: ${p(dir)}`);
    return 2;
  }
  // Nothing else runs in this process: small files are read synchronously, which saves a
  // thread-pool round trip per open/stat/read/close (the walk's listings stay asynchronous).
  const result = await detect(nodeFsSyncReads, dir, fileBudget ? { fileBudget } : {});
  io.out(json ? JSON.stringify(toReport(result), null, 2) : formatSummary(result));
  return 0;
}
