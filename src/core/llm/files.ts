// The Node file adapter of the LLM readers: small functions that take a path and read only the
// bytes a header needs (positioned reads on one descriptor), never a weight file's data. FIFOs and
// devices are refused after a non-blocking open, and paths can be confined to a root after
// resolving symlinks (Hugging Face cache snapshots are symlinks into blobs/, so the caller picks
// the root that contains both).
import { closeSync, constants, fstatSync, openSync, readSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { failure, LlmFormatError, type ByteSource, type Parsed } from './bytes';
import { CONFIG_MAX_BYTES, parseModelConfig } from './config';
import { DEFAULT_GGUF_LIMITS, ggufArchitecture, parseGgufHeader, summarizeGguf, type GgufHeader, type GgufLimits } from './gguf';
import {
  DEFAULT_SAFETENSORS_LIMITS,
  parseSafetensorsHeader,
  parseSafetensorsIndex,
  summarizeSafetensors,
  type SafetensorsFileHeader,
  type SafetensorsHeader,
  type SafetensorsLimits,
} from './safetensors';
import type { ModelArchitecture, ModelFacts } from './types';

export interface ReadOptions {
  /** Refuse files whose real path is outside this folder's real path. */
  confineTo?: string;
}

const MAX_SHARDS = 10_000;

/** A ByteSource over an open descriptor: every read is one positioned read of exactly what was asked. */
export function fdByteSource(fd: number, size: number): ByteSource {
  return {
    size,
    read(offset, length) {
      const want = Math.max(0, Math.min(length, size - offset));
      const buf = new Uint8Array(want);
      let got = 0;
      while (got < want) {
        const n = readSync(fd, buf, got, want - got, offset + got);
        if (n === 0) break;
        got += n;
      }
      return got === want ? buf : buf.subarray(0, got);
    },
  };
}

function confine(path: string, opts: ReadOptions): void {
  if (!opts.confineTo) return;
  const root = realpathSync(opts.confineTo);
  const real = realpathSync(path);
  const rel = relative(root, real);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) throw new LlmFormatError(`it resolves to ${real}, outside ${root}`);
}

/** Opens a regular file read-only without blocking on FIFOs; runs `fn` on its bytes; always closes. */
function withFile<T>(path: string, opts: ReadOptions, fn: (src: ByteSource, size: number) => T): T {
  confine(path, opts);
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new LlmFormatError('it is not a regular file');
    return fn(fdByteSource(fd, st.size), st.size);
  } finally {
    closeSync(fd);
  }
}

export function readSafetensorsHeaderFile(path: string, opts: ReadOptions = {}, limits: SafetensorsLimits = DEFAULT_SAFETENSORS_LIMITS): Parsed<SafetensorsHeader & { fileBytes: number }> {
  try {
    return withFile(path, opts, (src, size) => {
      const r = parseSafetensorsHeader(src, limits);
      return r.ok ? { ok: true as const, value: { ...r.value, fileBytes: size } } : r;
    });
  } catch (e) {
    return failure(e);
  }
}

export function readGgufHeaderFile(path: string, opts: ReadOptions = {}, limits: GgufLimits = DEFAULT_GGUF_LIMITS): Parsed<GgufHeader & { fileBytes: number }> {
  try {
    return withFile(path, opts, (src, size) => {
      const r = parseGgufHeader(src, limits);
      return r.ok ? { ok: true as const, value: { ...r.value, fileBytes: size } } : r;
    });
  } catch (e) {
    return failure(e);
  }
}

/** A small text file (config.json, an index), refused unread when larger than maxBytes. */
export function readTextFileBounded(path: string, maxBytes: number, opts: ReadOptions = {}): Parsed<string> {
  try {
    return withFile(path, opts, (src, size) => {
      if (size > maxBytes) throw new LlmFormatError(`it is ${size} bytes, over the ${maxBytes}-byte limit`);
      const b = src.read(0, size);
      return { ok: true as const, value: new TextDecoder('utf-8').decode(b) };
    });
  } catch (e) {
    return failure(e);
  }
}

function say(file: string, error: string): string {
  return `${file}: ${error}`;
}

/**
 * Reads a Hugging Face model folder: config.json, model.safetensors.index.json (or the
 * *.safetensors files beside it) and every shard's header. Returns the model's facts; files that
 * cannot be read become warnings, a folder with neither weights nor config an error.
 */
export function inspectModelFolder(dir: string, opts: ReadOptions = {}): Parsed<ModelFacts> {
  const warnings: string[] = [];
  let architecture: ModelArchitecture | null = null;
  const cfgText = readTextFileBounded(join(dir, 'config.json'), CONFIG_MAX_BYTES, opts);
  let name = basename(dir);
  if (cfgText.ok) {
    const a = parseModelConfig(cfgText.value);
    if (a.ok) architecture = a.value;
    else warnings.push(say('config.json', a.error));
    const m = /"_name_or_path"\s*:\s*"([^"\\]{1,200})"/.exec(cfgText.value);
    if (m?.[1] && !m[1].startsWith('/')) name = m[1];
  } else warnings.push(say('config.json', cfgText.error));

  let shardNames: string[];
  let totalSize: number | null = null;
  const idx = readTextFileBounded(join(dir, 'model.safetensors.index.json'), 64 * 1024 * 1024, opts);
  if (idx.ok) {
    const p = parseSafetensorsIndex(idx.value);
    if (!p.ok) return { ok: false, error: say('model.safetensors.index.json', p.error) };
    shardNames = p.value.shards;
    totalSize = p.value.totalSize;
  } else {
    try {
      shardNames = readdirSync(dir)
        .filter((n) => n.endsWith('.safetensors'))
        .sort();
    } catch (e) {
      return failure(e);
    }
  }
  if (shardNames.length > MAX_SHARDS) return { ok: false, error: `${shardNames.length} shard files, over the ${MAX_SHARDS} limit` };
  const headers: SafetensorsFileHeader[] = [];
  for (const s of shardNames) {
    const r = readSafetensorsHeaderFile(join(dir, s), opts);
    if (!r.ok) {
      warnings.push(say(s, r.error));
      continue;
    }
    const { fileBytes, ...header } = r.value;
    headers.push({ file: s, header, fileBytes });
    if (header.truncated) warnings.push(say(s, `declares ${8 + header.headerBytes + header.dataBytes} bytes but the file has ${fileBytes}: a partial download or a header-only file`));
  }
  if (headers.length === 0 && !architecture) return { ok: false, error: `${dir} has neither readable safetensors weights nor a readable config.json` };
  const weights = headers.length > 0 ? summarizeSafetensors(headers, architecture?.quantization ?? null) : null;
  if (weights && headers.length < shardNames.length) warnings.push(`${shardNames.length - headers.length} of ${shardNames.length} shards could not be read: the figures cover the rest only`);
  if (weights && totalSize !== null && totalSize !== weights.bytes && headers.length === shardNames.length) {
    warnings.push(`the index says ${totalSize} bytes of tensors, the headers ${weights.bytes}`);
  }
  return { ok: true, value: { name, weights, architecture, warnings: [...warnings, ...(weights?.warnings ?? [])] } };
}

const SPLIT = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/i;

/** Reads a GGUF file's header (all parts of a split file) into the model's facts. */
export function inspectGgufFile(path: string, opts: ReadOptions = {}): Parsed<ModelFacts> {
  const m = SPLIT.exec(basename(path));
  const parts = m ? Array.from({ length: Number(m[3]) }, (_, i) => join(dirname(path), `${m[1]}-${String(i + 1).padStart(5, '0')}-of-${m[3]}.gguf`)) : [path];
  if (parts.length > 1024) return { ok: false, error: `it claims ${parts.length} split parts` };
  const first = readGgufHeaderFile(parts[0] as string, opts);
  if (!first.ok) return { ok: false, error: say(basename(parts[0] as string), first.error) };
  const arch = ggufArchitecture(first.value.metadata);
  const warnings: string[] = arch.ok ? [] : [arch.error];
  const tensors = [...first.value.tensors];
  const files = [{ file: basename(parts[0] as string), header: first.value }];
  for (const p of parts.slice(1)) {
    const r = readGgufHeaderFile(p, opts);
    if (!r.ok) {
      warnings.push(say(basename(p), r.error));
      continue;
    }
    tensors.push(...r.value.tensors);
    files.push({ file: basename(p), header: r.value });
  }
  const merged: GgufHeader = { ...first.value, tensors };
  const weights = summarizeGguf(merged, basename(path), first.value.fileBytes);
  weights.files = files.map((f) => ({ file: f.file, headerBytes: f.header.dataOffset, dataBytes: f.header.dataBytes, fileBytes: f.header.fileBytes, truncated: f.header.truncated }));
  if (parts.length > 1) weights.warnings = weights.warnings.filter((w) => !w.includes('split files'));
  const name = typeof first.value.metadata['general.name'] === 'string' ? (first.value.metadata['general.name'] as string) : basename(path);
  return { ok: true, value: { name, weights, architecture: arch.ok ? arch.value : null, warnings: [...warnings, ...weights.warnings] } };
}

/** A model folder, a .gguf file or one .safetensors file (its folder is read): the facts sizing needs. */
export function inspectModelPath(path: string, opts: ReadOptions = {}): Parsed<ModelFacts> {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    return failure(e);
  }
  if (isDir) return inspectModelFolder(path, opts);
  if (/\.gguf$/i.test(path)) return inspectGgufFile(path, opts);
  if (/\.safetensors$/i.test(path)) return inspectModelFolder(dirname(path), opts);
  return { ok: false, error: `${basename(path)} is neither a model folder, a .gguf file nor a .safetensors file` };
}
