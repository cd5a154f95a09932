// The cross-file rule: a Dockerfile's base image CUDA against the torch / TensorFlow version
// pinned in the project's dependencies (found by core/detect, judged with core/cuda's table).
import type { CudaCompat, DockerfileContext, Finding } from './types';

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
}

/** FROM instructions with the image token's position; `\` continuations are followed. */
function fromLines(text: string): { froms: FromLine[]; args: Map<string, string> } {
  const lines = text.split(/\r?\n/);
  const froms: FromLine[] = [];
  const args = new Map<string, string>(); // global ARGs (before the first FROM) feed FROM lines
  let seenFrom = false;
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i] ?? '';
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) logical = logical.replace(/\\\s*$/, ' ') + (lines[++i] ?? '');
    const m = /^(\s*)(FROM|ARG)\s+(.*)$/i.exec(logical);
    if (!m) continue;
    const word = m[2]!.toUpperCase();
    const rest = m[3]!;
    if (word === 'ARG') {
      if (seenFrom) continue;
      for (const decl of rest.trim().split(/\s+/)) {
        const eq = decl.indexOf('=');
        if (eq > 0) args.set(decl.slice(0, eq), decl.slice(eq + 1).replace(/^["']|["']$/g, ''));
      }
      continue;
    }
    seenFrom = true;
    const tokens = rest.trim().split(/\s+/).filter((t) => !t.startsWith('--'));
    const image = tokens[0];
    if (!image) continue;
    const phys = lines[start] ?? '';
    const at = phys.indexOf(image);
    froms.push({ line: start + 1, column: at >= 0 ? at + 1 : m[1]!.length + 1, image });
  }
  return { froms, args };
}

function expand(image: string, args: Map<string, string>): string {
  return image.replace(/\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g, (_all, a: string | undefined, def: string | undefined, b: string | undefined) => {
    const name = a ?? b ?? '';
    return args.get(name) ?? def ?? '';
  });
}

/** `cuda-mismatch` findings for one Dockerfile; nothing when the context lacks pins or the table. */
export function lintDockerfile(text: string, file: string, ctx: DockerfileContext = {}): Finding[] {
  const { pins, cuda } = ctx;
  if (!pins || !cuda || (!pins.pytorch && !pins.tensorflow)) return [];
  const { froms, args } = fromLines(text);
  const stages = new Set<string>();
  const out: Finding[] = [];
  for (const f of froms) {
    const image = expand(f.image, args);
    if (stages.has(image.toLowerCase())) continue;
    const asMatch = new RegExp(`^\\s*FROM\\s+.*?\\s+AS\\s+(\\S+)`, 'i').exec(text.split(/\r?\n/)[f.line - 1] ?? '');
    if (asMatch?.[1]) stages.add(asMatch[1].toLowerCase());
    out.push(...check(cuda, image, f, file, pins));
  }
  return out;
}

function check(cuda: CudaCompat, image: string, f: FromLine, file: string, pins: NonNullable<DockerfileContext['pins']>): Finding[] {
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
      file,
      line: f.line,
      column: f.column,
      endLine: f.line,
      endColumn: f.column + f.image.length,
      severity: 'error',
      rule: 'cuda-mismatch',
      message: `base image CUDA ${imageCuda} cannot run ${LABEL[fw]} ${version}, which is built for CUDA ${supported.join(', ')}: ${hint}`,
    });
  }
  return out;
}
