// Target GPUs for sizing. Memory is what `nvidia-smi --query-gpu=memory.total` reports (MiB),
// read from public nvidia-smi output; CUDA exposes slightly less (vLLM logs total_gpu_memory
// 79.11 GiB on an H100 80GB HBM3 whose nvidia-smi total is 81559 MiB = 79.65 GiB, and 22.07 GiB
// on an L4 whose total is 23034 MiB = 22.49 GiB), so sizing subtracts CUDA_RESERVED_MIB first.
// Marketing "80 GB" is neither: an H100 80GB has 79.65 GiB in nvidia-smi and ~79.1 GiB in CUDA.

export interface GpuSpec {
  id: string;
  name: string;
  /** nvidia-smi memory.total, MiB. */
  memoryMiB: number;
  /** Compute capability (sm_XY as "X.Y"). */
  computeCapability: string;
  /** NVLink between the GPUs of one machine (SXM boards); PCIe cards talk over PCIe. */
  nvlink: boolean;
  /** Native FP8 tensor cores (compute capability ≥ 8.9). */
  fp8: boolean;
  /** Where memoryMiB was seen. */
  memorySource: string;
}

/** Memory the driver keeps from CUDA: measured 0.42 GiB (L4) and 0.54 GiB (H100) from vLLM logs. */
export const CUDA_RESERVED_MIB = 512;

const SMI = 'public nvidia-smi output (memory.total)';

export const GPU_CATALOG: readonly GpuSpec[] = [
  { id: 't4', name: 'NVIDIA T4 16 GB', memoryMiB: 15360, computeCapability: '7.5', nvlink: false, fp8: false, memorySource: SMI },
  { id: 'a10g', name: 'NVIDIA A10G 24 GB (AWS g5)', memoryMiB: 23028, computeCapability: '8.6', nvlink: false, fp8: false, memorySource: SMI },
  { id: 'a10', name: 'NVIDIA A10 24 GB', memoryMiB: 23028, computeCapability: '8.6', nvlink: false, fp8: false, memorySource: SMI },
  { id: 'l4', name: 'NVIDIA L4 24 GB', memoryMiB: 23034, computeCapability: '8.9', nvlink: false, fp8: true, memorySource: SMI },
  { id: 'rtx4090', name: 'NVIDIA GeForce RTX 4090 24 GB', memoryMiB: 24564, computeCapability: '8.9', nvlink: false, fp8: true, memorySource: SMI },
  { id: 'l40s', name: 'NVIDIA L40S 48 GB', memoryMiB: 46068, computeCapability: '8.9', nvlink: false, fp8: true, memorySource: SMI },
  { id: 'a100-40gb', name: 'NVIDIA A100 40 GB (SXM4)', memoryMiB: 40960, computeCapability: '8.0', nvlink: true, fp8: false, memorySource: SMI },
  { id: 'a100-80gb', name: 'NVIDIA A100 80 GB (SXM4)', memoryMiB: 81920, computeCapability: '8.0', nvlink: true, fp8: false, memorySource: SMI },
  { id: 'h100-pcie', name: 'NVIDIA H100 80 GB PCIe', memoryMiB: 81559, computeCapability: '9.0', nvlink: false, fp8: true, memorySource: SMI },
  { id: 'h100-80gb', name: 'NVIDIA H100 80 GB (SXM5, HBM3)', memoryMiB: 81559, computeCapability: '9.0', nvlink: true, fp8: true, memorySource: SMI },
  { id: 'h200', name: 'NVIDIA H200 141 GB (SXM)', memoryMiB: 143771, computeCapability: '9.0', nvlink: true, fp8: true, memorySource: SMI },
  { id: 'b200', name: 'NVIDIA B200 180 GB', memoryMiB: 183359, computeCapability: '10.0', nvlink: true, fp8: true, memorySource: SMI },
];

export function findGpu(id: string): GpuSpec | null {
  const k = id.trim().toLowerCase();
  return GPU_CATALOG.find((g) => g.id === k) ?? null;
}

/** Bytes CUDA can hand out on one GPU of this type. */
export function cudaVisibleBytes(g: GpuSpec): number {
  return (g.memoryMiB - CUDA_RESERVED_MIB) * 1024 * 1024;
}
