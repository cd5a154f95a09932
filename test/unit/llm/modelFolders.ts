// Header-only model folders and GGUF files on disk, as a project holds them: a Hugging Face folder
// (config.json, tokenizer files, model-0000N-of-0000M.safetensors shards and their index) or a
// .gguf file. The shards carry real headers and no data (truncated files), so a 70 B model costs
// a few hundred KB; the readers size them from the headers exactly as from the real thing.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ggufHeaderOnly, hfTensors, llamaGgufMetadata, llamaQ4KMTensors, safetensorsHeaderOnly, shard, tensorBytes, type Config, type TensorSpec } from './fixtures';

export interface HfFolderOptions {
  /** Bytes of tensor data per shard (save_pretrained's max_shard_size); default 5 GB. */
  shardBytes?: number;
  /** tokenizer_config.json declares a chat template (default true). */
  chatTemplate?: boolean;
  tensors?: TensorSpec[];
}

export function writeHfFolder(dir: string, config: Config, o: HfFolderOptions = {}): { shards: string[]; totalBytes: number } {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const tokCfg: Record<string, unknown> = { tokenizer_class: 'PreTrainedTokenizerFast', bos_token: '<|begin_of_text|>' };
  if (o.chatTemplate ?? true) tokCfg.chat_template = "{% for message in messages %}{{ message['content'] }}{% endfor %}";
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(tokCfg));
  writeFileSync(join(dir, 'tokenizer.json'), '{"version":"1.0","model":{"type":"BPE","vocab":{},"merges":[]}}');
  const tensors = o.tensors ?? hfTensors(config);
  const parts = shard(tensors, o.shardBytes ?? 5e9);
  const names = parts.map((_, i) => `model-${String(i + 1).padStart(5, '0')}-of-${String(parts.length).padStart(5, '0')}.safetensors`);
  const weightMap: Record<string, string> = {};
  let total = 0;
  parts.forEach((p, i) => {
    writeFileSync(join(dir, names[i]!), safetensorsHeaderOnly(p).bytes);
    for (const t of p) {
      weightMap[t.name] = names[i]!;
      total += tensorBytes(t);
    }
  });
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }));
  return { shards: names, totalBytes: total };
}

/** A header-only Llama-class Q4_K_M GGUF with a chat template in its metadata (unless told otherwise). */
export function writeLlamaGguf(file: string, config: Config, name: string, chatTemplate = true): { headerBytes: number; dataBytes: number } {
  const kvs = llamaGgufMetadata(config, name);
  const all = chatTemplate ? [...kvs, ['tokenizer.chat_template', 'str', "{% for m in messages %}{{ m['content'] }}{% endfor %}"] as (typeof kvs)[number]] : kvs;
  const g = ggufHeaderOnly(all, llamaQ4KMTensors(config));
  writeFileSync(file, g.bytes);
  return { headerBytes: g.headerBytes, dataBytes: g.dataBytes };
}
