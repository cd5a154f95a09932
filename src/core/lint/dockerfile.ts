// The cross-file rule: a Dockerfile's base image CUDA against the framework versions pinned in the
// project's dependencies (found by core/detect, judged with core/cuda's table).
//
// The Dockerfile text is hostile input: it is scanned line by line with string operations and
// anchored, non-nested patterns only, so that the work stays linear in its length (a `FROM`
// followed by thousands of spaces used to take seconds with a backtracking pattern).
import type { CudaCompat, DockerfileContext, Finding, ProjectPins } from './types';

/** Pins this rule understands; core/detect supplies what it finds (`+cuXYZ` labels included). */
export interface DockerfilePins extends ProjectPins {
  jax?: string;
  onnxruntime?: string;
  torchvision?: string;
  torchaudio?: string;
}

/** core/cuda's shared judgement (the scaffold uses the same one, so the two agree). */
export interface CudaImageJudge {
  judgeImage(image: string, pins: DockerfilePins): { imageCuda: string | null; findings: { framework: string; message: string }[] };
}

export interface DockerfileLintContext extends DockerfileContext {
  pins?: DockerfilePins;
  cuda?: CudaCompat & Partial<CudaImageJudge>;
}

function majorMinor(v: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * Whether a base image with CUDA `imageCuda` can run a framework release built for `supported`.
 *
 * - TensorFlow links against the system CUDA/cuDNN of its build: the image's CUDA major.minor
 *   must be one of the release's tested versions exactly.
 * - PyTorch wheels bundle their own CUDA runtime (the `cu121` wheel carries CUDA 12.1 libraries),
 *   so the base image only has to be of the same CUDA major and not older than the oldest CUDA of
 *   that major the release ships for: CUDA's minor-version compatibility lets a 12.1 wheel run in a
 *   12.4 image, but nothing crosses a major (a cu118 wheel on a CUDA 12 image, or the reverse,
 *   needs a different wheel than the image suggests).
 */
export function cudaSatisfies(framework: 'pytorch' | 'tensorflow', imageCuda: string, supported: readonly string[]): boolean {
  const img = majorMinor(imageCuda);
  if (!img) return true;
  const vs = supported.map(majorMinor).filter((x): x is [number, number] => x !== undefined);
  if (!vs.length) return true;
  if (framework === 'tensorflow') return vs.some(([a, b]) => a === img[0] && b === img[1]);
  const sameMajor = vs.filter(([a]) => a === img[0]);
  if (!sameMajor.length) return false;
  const lowestMinor = Math.min(...sameMajor.map(([, b]) => b));
  return img[1] >= lowestMinor;
}

function lowestPerMajor(versions: readonly string[]): string[] {
  const best = new Map<number, [number, number]>();
  for (const v of versions) {
    const mm = majorMinor(v);
    if (!mm) continue;
    const cur = best.get(mm[0]);
    if (!cur || mm[1] < cur[1]) best.set(mm[0], mm);
  }
  return [...best.values()].sort((a, b) => b[0] - a[0]).map(([a, b]) => `${a}.${b}`);
}

const LABEL = { pytorch: 'torch', tensorflow: 'TensorFlow' } as const;

interface FromLine {
  line: number; // 1-based
  column: number; // 1-based, of the image token
  image: string; // as written
  stage: string | null; // `AS name`, lower-cased
}

const isSpace = (ch: string | undefined): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v';

/** Whitespace-separated words, without regular expressions (linear, no backtracking). */
function words(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && isSpace(s[i])) i++;
    const start = i;
    while (i < s.length && !isSpace(s[i])) i++;
    if (i > start) out.push(s.slice(start, i));
  }
  return out;
}

/** The Dockerfile's line-continuation character: `\` unless an `# escape=` parser directive says otherwise. */
function escapeChar(lines: readonly string[]): string {
  for (const raw of lines) {
    const line = raw.trim();
    if (!line.startsWith('#')) break;
    const body = line.slice(1).trim().toLowerCase();
    if (!body.startsWith('escape')) continue;
    const eq = body.indexOf('=');
    const value = eq >= 0 ? body.slice(eq + 1).trim() : '';
    if (value === '`' || value === '\\') return value;
  }
  return '\\';
}

/** FROM instructions with the image token's position; continuation lines are followed. */
function fromLines(text: string): { froms: FromLine[]; args: Map<string, string> } {
  const lines = text.split('\n');
  const esc = escapeChar(lines);
  const froms: FromLine[] = [];
  const args = new Map<string, string>(); // global ARGs (before the first FROM) feed FROM lines
  let seenFrom = false;
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    const parts: string[] = [];
    let cur = (lines[i] ?? '').trimEnd();
    // Comment lines (parser directives included) never continue onto the next line.
    if (cur.trimStart().startsWith('#')) continue;
    // Only the physical line is inspected for the continuation mark: linear overall.
    while (cur.endsWith(esc) && i + 1 < lines.length) {
      parts.push(cur.slice(0, -1));
      cur = (lines[++i] ?? '').trimEnd();
      // Docker drops comment lines inside a continued instruction.
      while (cur.trimStart().startsWith('#') && i + 1 < lines.length) cur = (lines[++i] ?? '').trimEnd();
    }
    parts.push(cur);
    const tokens = words(parts.join(' '));
    const word = tokens[0]?.toUpperCase();
    if (word === 'ARG') {
      if (seenFrom) continue;
      for (const decl of tokens.slice(1)) {
        const eq = decl.indexOf('=');
        if (eq > 0) args.set(decl.slice(0, eq), decl.slice(eq + 1).replace(/^["']|["']$/g, ''));
      }
      continue;
    }
    if (word !== 'FROM') continue;
    seenFrom = true;
    const rest = tokens.slice(1).filter((t) => !t.startsWith('--'));
    const image = rest[0];
    if (!image) continue;
    const stage = rest[1]?.toUpperCase() === 'AS' && rest[2] ? rest[2].toLowerCase() : null;
    const phys = lines[start] ?? '';
    const at = phys.indexOf(image);
    const indent = phys.length - phys.trimStart().length;
    froms.push({ line: start + 1, column: at >= 0 ? at + 1 : indent + 1, image, stage });
  }
  return { froms, args };
}

function expand(image: string, args: Map<string, string>): string {
  if (!image.includes('$')) return image;
  return image.replace(/\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g, (_all, a: string | undefined, def: string | undefined, b: string | undefined) => {
    const name = a ?? b ?? '';
    return args.get(name) ?? def ?? '';
  });
}

const MAX_IMAGE_REF = 512;

function hasPins(pins: DockerfilePins): boolean {
  return Boolean(pins.pytorch || pins.tensorflow || pins.jax || pins.onnxruntime || pins.torchvision || pins.torchaudio);
}

/** `cuda-mismatch` findings for one Dockerfile; nothing when the context lacks pins or the table. */
export function lintDockerfile(text: string, file: string, ctx: DockerfileLintContext = {}): Finding[] {
  const { pins, cuda } = ctx;
  if (!pins || !cuda || !hasPins(pins)) return [];
  const { froms, args } = fromLines(text);
  const stages = new Set<string>();
  const out: Finding[] = [];
  let familyReported = false;
  const judged = new Map<string, ReturnType<CudaImageJudge['judgeImage']>>();
  for (const f of froms) {
    // No registry accepts references this long (name 255 + tag 128): not an image to judge.
    if (f.image.length > MAX_IMAGE_REF) continue;
    const image = expand(f.image, args);
    const isStage = stages.has(image.toLowerCase());
    if (f.stage) stages.add(f.stage);
    if (isStage) continue;
    const range = { file, line: f.line, column: f.column, endLine: f.line, endColumn: f.column + f.image.length };
    if (cuda.judgeImage) {
      const verdict = judged.get(image) ?? cuda.judgeImage(image, pins);
      judged.set(image, verdict);
      for (const finding of verdict.findings) {
        if (finding.framework === 'torch-family') {
          if (familyReported) continue;
          familyReported = true;
        }
        out.push({ ...range, severity: 'error', rule: 'cuda-mismatch', message: finding.message });
      }
      continue;
    }
    out.push(...legacyCheck(cuda, image, range, pins));
  }
  return out;
}

/** For callers that pass only the two questions of CudaCompat (no shared judgement). */
function legacyCheck(cuda: CudaCompat, image: string, range: Omit<Finding, 'severity' | 'rule' | 'message'>, pins: DockerfilePins): Finding[] {
  const imageCuda = cuda.cudaOfImage(image);
  if (!imageCuda) return [];
  const out: Finding[] = [];
  for (const fw of ['pytorch', 'tensorflow'] as const) {
    const version = pins[fw];
    if (!version) continue;
    const supported = cuda.cudaVersionsFor(fw, version);
    if (!supported || !supported.length || cudaSatisfies(fw, imageCuda, supported)) continue;
    const hint =
      fw === 'pytorch'
        ? `use a base image with CUDA ${lowestPerMajor(supported).map((v) => `${v.split('.')[0]}.x ≥ ${v}`).join(' or ')}`
        : `use a base image with CUDA ${supported.join(' or ')}`;
    out.push({
      ...range,
      severity: 'error',
      rule: 'cuda-mismatch',
      message: `base image CUDA ${imageCuda} cannot run ${LABEL[fw]} ${version}, which is built for CUDA ${supported.join(', ')}: ${hint}`,
    });
  }
  return out;
}
