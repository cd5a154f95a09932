// The table's own consistency checks for a choice: what the held-out grid test asserts for every
// released version, and what a caller can assert before writing a Dockerfile.
import { pythonsFor, type GpuBaseChoice } from './choose';
import { cudaOfImage, knownImage } from './images';
import { judgeImage } from './judge';
import { CUDA_TABLE } from './table';
import { cudaMajor } from './version';

/**
 * Problems with a choice; empty when it is a clean refusal (an error with a reason) or a plan whose
 * image, Python, CUDA, driver and architecture claims agree with the table.
 */
export function validateChoice(c: GpuBaseChoice): string[] {
  const out: string[] = [];
  if (c.error !== null) {
    if (!c.error.trim()) out.push('refusal without a reason');
    return out;
  }
  if (!c.verified) out.push(`unverified choice: ${c.unverifiedReason ?? '(no reason given)'}`);
  if (!c.image) out.push('no image');
  else if (!knownImage(c.image)) out.push(`image ${c.image} is not one the table knows`);
  if (/:latest$/.test(c.image)) out.push(`image ${c.image} uses :latest`);

  const imageCuda = cudaOfImage(c.image);
  if (c.strategy === 'python-base+pip-cuda') {
    if (imageCuda !== null) out.push(`pip-CUDA strategy on a CUDA image ${c.image}`);
    if (!c.python || c.image !== `python:${c.python}-slim`) out.push(`python-slim image ${c.image} does not match python ${c.python}`);
    if (!c.gpuPackages.length) out.push('pip-CUDA strategy without GPU packages');
  } else if (imageCuda !== c.cuda) {
    out.push(`image ${c.image} carries CUDA ${imageCuda ?? '(none)'}, the choice says ${c.cuda}`);
  }
  if (c.strategy === 'cuda-base+pip') {
    if (c.python === null) out.push('nvidia/cuda base without a Python');
    if (c.framework !== 'generic' && !c.gpuPackages.length) out.push('nvidia/cuda base without the framework install');
  }

  if (c.python && c.framework !== 'generic') {
    const supported = pythonsFor(c.framework, c.version);
    if (supported && !supported.includes(c.python)) out.push(`Python ${c.python} has no ${c.framework} ${c.version} wheels (${supported.join(', ')})`);
  }
  if (c.framework !== 'generic' && c.version && c.strategy !== 'python-base+pip-cuda') {
    const verdict = judgeImage(c.image, { [c.framework]: c.version });
    for (const f of verdict.findings) out.push(`cuda-mismatch: ${f.message}`);
  }
  if (c.buildCuda && c.strategy !== 'python-base+pip-cuda' && cudaMajor(c.buildCuda) !== cudaMajor(c.cuda)) {
    out.push(`build CUDA ${c.buildCuda} and image CUDA ${c.cuda} differ in major`);
  }
  if (c.cudnnMajor !== null && c.strategy === 'cuda-base+pip') {
    const row = CUDA_TABLE.nvidiaCuda.find((r) => r.cuda === c.cuda);
    if (row && c.framework === 'onnxruntime' && row.cudnnMajor !== c.cudnnMajor) out.push(`cuDNN ${c.cudnnMajor} expected, image has ${row.cudnnMajor}`);
  }

  if (!c.minDriver) out.push('no driver floor');
  const driverNotes = c.notes.filter((n) => /driver >= \d/i.test(n) && /^Host driver/.test(n));
  if (driverNotes.length !== 1) out.push(`expected one driver note, found ${driverNotes.length}`);

  if (c.target !== 'any' && !c.archs.supported.includes(c.target)) out.push(`target ${c.target} is not among the supported architectures`);
  if (c.archs.supported.length + c.archs.unsupported.length !== CUDA_TABLE.archs.length) out.push('architecture verdicts incomplete');
  if (c.archs.unsupported.length && !c.notes.some((n) => n.startsWith('No kernels for'))) out.push('unsupported architectures not said in the notes');

  if (c.framework === 'jax') {
    const needsFindLinks = c.gpuPackages.some((p) => /jax\[cuda1[12]_pip\]/.test(p)) && c.pipFindLinks === null;
    const release = CUDA_TABLE.jax.releases.find((r) => r.version === c.version);
    const extra = release?.extras.find((e) => c.gpuPackages.some((p) => p.startsWith(`jax[${e.extra}]`)));
    if (extra?.findLinks && c.pipFindLinks !== extra.findLinks) out.push(`jax[${extra.extra}] needs -f ${extra.findLinks}`);
    if (needsFindLinks && extra?.findLinks) out.push('cuda*_pip extra without its find-links page');
  }
  if (c.framework === 'pytorch' && c.strategy === 'cuda-base+pip' && !c.gpuPackages.some((p) => p.startsWith('torch=='))) out.push('torch install missing');
  if (c.framework === 'pytorch' && c.pipFindLinks && !c.gpuPackages.some((p) => /\+cu\d+$/.test(p)) && c.strategy !== 'official-image') out.push('find-links torch install without its +cuXYZ label');
  return out;
}
