// The Node file adapter of the ONNX reader, like templates.ts's nodeTemplateSource: the CLI and
// the extension glue call it before planning; planScaffold itself never touches the disk.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { DetectionResult } from '../detect/types';
import { DEFAULT_ONNX_LIMITS, readOnnxModelIo, type ByteSource, type OnnxIoResult } from './onnx';
import type { ScaffoldChoices } from './types';

/** Read-ahead window: the fields the reader visits sit close together, large payloads are skipped. */
const WINDOW = 64 * 1024;

/** A ByteSource over an open file descriptor that reads only what the parser asks for. */
export function fileByteSource(fd: number, size: number): ByteSource {
  let winStart = 0;
  let win: Uint8Array = new Uint8Array(0);
  const fill = (offset: number, length: number): Uint8Array => {
    const buf = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return got === buf.length ? buf : buf.subarray(0, got);
  };
  return {
    size,
    read(offset, length) {
      if (offset >= winStart && offset + length <= winStart + win.length) return win.subarray(offset - winStart, offset - winStart + length);
      if (length > WINDOW) return fill(offset, length);
      winStart = offset;
      win = fill(offset, WINDOW);
      return win.subarray(0, Math.min(length, win.length));
    },
  };
}

/** Inputs/outputs of the ONNX model at `file`; null with a reason when it cannot be read. */
export function readOnnxModelIoFile(file: string): OnnxIoResult {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    return { io: null, reason: `cannot open it (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { io: null, reason: 'it is not a file' };
    if (st.size > DEFAULT_ONNX_LIMITS.maxBytes) return { io: null, reason: `it is ${st.size} bytes, over the 2 GiB protobuf limit` };
    return readOnnxModelIo(fileByteSource(fd, st.size));
  } finally {
    closeSync(fd);
  }
}

/** The ONNX artifact the Triton runtime serves: the first one detection found (as runtimes.ts picks). */
export function onnxArtifact(detection: DetectionResult): string | null {
  return detection.artifacts.find((a) => a.format === 'onnx')?.file ?? null;
}

export type ModelIoChoices = Pick<ScaffoldChoices, 'modelIo' | 'modelIoSource' | 'modelIoProblem'>;

/**
 * The `modelIo` choices for the Triton runtime, read from the project's ONNX artifact
 * (`detection.root` + its relative path). Empty when there is no ONNX artifact: the plan's own
 * note covers that case.
 */
export function modelIoChoices(detection: DetectionResult, read: (file: string) => OnnxIoResult = readOnnxModelIoFile): ModelIoChoices {
  const rel = onnxArtifact(detection);
  if (rel === null) return {};
  if (rel.startsWith('/') || /^[A-Za-z]:/.test(rel) || rel.split(/[\\/]/).includes('..')) return { modelIoSource: rel, modelIoProblem: 'its path leaves the project folder' };
  const r = read(join(detection.root, ...rel.split('/')));
  return r.io ? { modelIo: r.io, modelIoSource: rel } : { modelIoSource: rel, modelIoProblem: r.reason };
}
