// One rule set for "can this base image run these pins?", used by the `cuda-mismatch` lint rule
// and by the scaffold's --cuda validation, so that the two never disagree.
import { checkTorchFamily } from './companions';
import { findJaxRelease, findOrtRule, findTensorflowRow, findTorchRow } from './choose';
import { cudaOfImage, cudnnOfImage } from './images';
import { compareVersions, cudaFromLocal, cudaMajor, cudaMinorOf, parsePin } from './version';

export interface ImagePins {
  pytorch?: string | undefined;
  tensorflow?: string | undefined;
  jax?: string | undefined;
  onnxruntime?: string | undefined;
  torchvision?: string | undefined;
  torchaudio?: string | undefined;
}

export interface ImageFinding {
  framework: 'pytorch' | 'tensorflow' | 'jax' | 'onnxruntime' | 'torch-family';
  message: string;
}

export interface ImageVerdict {
  /** CUDA major.minor the image carries; null = CPU image or one the table does not know. */
  imageCuda: string | null;
  findings: ImageFinding[];
}

/**
 * Wheel-bundled CUDA (torch): the image must be of the same major as a build and not older than the
 * oldest build of that major (CUDA minor-version compatibility; nothing crosses a major).
 */
export function sameMajorNotOlder(imageCuda: string, builds: readonly string[]): boolean {
  const same = builds.filter((b) => cudaMajor(b) === cudaMajor(imageCuda));
  if (!same.length) return false;
  const lowest = Math.min(...same.map(cudaMinorOf));
  return cudaMinorOf(imageCuda) >= lowest;
}

function lowestPerMajor(versions: readonly string[]): string {
  const best = new Map<number, string>();
  for (const v of versions) {
    const cur = best.get(cudaMajor(v));
    if (!cur || compareVersions(v, cur) < 0) best.set(cudaMajor(v), v);
  }
  return [...best.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([maj, v]) => `${maj}.x ≥ ${v}`)
    .join(' or ');
}

export function judgeImage(image: string, pins: ImagePins): ImageVerdict {
  const imageCuda = cudaOfImage(image);
  const findings: ImageFinding[] = [];
  const family = checkTorchFamily({ torch: pins.pytorch ?? null, torchvision: pins.torchvision ?? null, torchaudio: pins.torchaudio ?? null });
  for (const e of family.errors) findings.push({ framework: 'torch-family', message: e });
  if (!imageCuda) return { imageCuda, findings };

  if (pins.pytorch) {
    const pin = parsePin(pins.pytorch);
    const label = pin?.local ?? null;
    const labelCuda = cudaFromLocal(label) ?? family.cudaLabel;
    const row = findTorchRow(pins.pytorch)?.row ?? null;
    const builds = labelCuda ? [labelCuda] : (row?.variants.map((v) => v.cuda) ?? []);
    if (builds.length && label !== 'cpu' && !sameMajorNotOlder(imageCuda, builds)) {
      findings.push({
        framework: 'pytorch',
        message: labelCuda
          ? `base image CUDA ${imageCuda} cannot run torch ${pins.pytorch}, a CUDA ${labelCuda} build (+${label ?? `cu${labelCuda.replace('.', '')}`}): use a base image with CUDA ${cudaMajor(labelCuda)}.x ≥ ${labelCuda}`
          : `base image CUDA ${imageCuda} cannot run torch ${pins.pytorch}, which is built for CUDA ${builds.join(', ')}: use a base image with CUDA ${lowestPerMajor(builds)}`,
      });
    }
  }
  if (pins.tensorflow) {
    const row = findTensorflowRow(pins.tensorflow)?.row ?? null;
    if (row && !row.cuda.includes(imageCuda)) {
      findings.push({
        framework: 'tensorflow',
        message: `base image CUDA ${imageCuda} cannot run TensorFlow ${pins.tensorflow}, which is built for CUDA ${row.cuda.join(', ')}: use a base image with CUDA ${row.cuda.join(' or ')}`,
      });
    }
  }
  if (pins.jax) {
    const rel = findJaxRelease(pins.jax);
    if (rel && !rel.extras.some((e) => e.cudaMajor === cudaMajor(imageCuda) && compareVersions(imageCuda, e.cudaMin) >= 0)) {
      const majors = [...new Set(rel.extras.map((e) => `${e.cudaMajor}.x ≥ ${e.cudaMin}`))];
      findings.push({
        framework: 'jax',
        message: `base image CUDA ${imageCuda} cannot run jax ${pins.jax}, whose CUDA extras need CUDA ${majors.join(' or ')}: use such a base image, or python:3.X-slim with jax[cuda${rel.extras[0]?.cudaMajor ?? 12}]`,
      });
    }
  }
  if (pins.onnxruntime) {
    const rule = findOrtRule(pins.onnxruntime);
    const cudnn = cudnnOfImage(image);
    if (rule) {
      const fits = rule.builds.filter((b) => cudaMajor(b.cuda) === cudaMajor(imageCuda) && compareVersions(imageCuda, b.cuda) >= 0);
      if (!fits.length) {
        findings.push({
          framework: 'onnxruntime',
          message: `base image CUDA ${imageCuda} cannot run onnxruntime-gpu ${pins.onnxruntime}, built with CUDA ${rule.builds.map((b) => b.cuda).join(' / ')}: use a base image with CUDA ${rule.builds.map((b) => `${cudaMajor(b.cuda)}.x ≥ ${b.cuda}`).join(' or ')}`,
        });
      } else if (cudnn !== null && !fits.some((b) => b.cudnnMajor === cudnn)) {
        findings.push({
          framework: 'onnxruntime',
          message: `base image has cuDNN ${cudnn}, but onnxruntime-gpu ${pins.onnxruntime}'s CUDA ${cudaMajor(imageCuda)} build needs cuDNN ${fits.map((b) => b.cudnnMajor).join(' / ')} (cuDNN 8 and 9 builds are not interchangeable)`,
        });
      }
    }
  }
  return { imageCuda, findings };
}
