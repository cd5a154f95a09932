// What the `cuda-mismatch` rule compares a Dockerfile's base image with: the project's pinned
// framework versions, CUDA build labels included (`torch==2.3.1+cu121` → "2.3.1+cu121"). One
// function for the CLI and the editor, from the detection report.
import type { DetectionResult } from '../detect/types';
import type { DockerfilePins } from './dockerfile';

export function pinsFromDetection(r: Pick<DetectionResult, 'frameworks'> & Partial<Pick<DetectionResult, 'packages'>>): DockerfilePins {
  const pins: DockerfilePins = {};
  const pkg = (...names: string[]): string | undefined => {
    const p = r.packages?.find((x) => names.includes(x.name) && x.version);
    return p?.version ? `${p.version}${p.local ? `+${p.local}` : ''}` : undefined;
  };
  const fw = (name: string): string | undefined => r.frameworks.find((f) => f.name === name && f.version && f.role !== 'data')?.version ?? undefined;
  const torch = pkg('torch') ?? fw('pytorch');
  if (torch) pins.pytorch = torch;
  const tf = pkg('tensorflow', 'tensorflow-gpu', 'tensorflow-cpu') ?? fw('tensorflow');
  if (tf) pins.tensorflow = tf;
  const jax = pkg('jax') ?? fw('jax');
  if (jax) pins.jax = jax;
  const ort = pkg('onnxruntime-gpu', 'onnxruntime') ?? fw('onnxruntime');
  if (ort) pins.onnxruntime = ort;
  const tv = pkg('torchvision');
  if (tv) pins.torchvision = tv;
  const ta = pkg('torchaudio');
  if (ta) pins.torchaudio = ta;
  return pins;
}
