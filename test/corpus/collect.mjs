#!/usr/bin/env node
// Rebuilds the corpus of real public manifests under test/corpus/files from the Go module zips
// scripts/gen-schemas.mjs caches (same pinned versions and hashes; run it first on a new machine).
// The corpus is held out: none of these files was used to tune the linter (the tuning set was
// Kubernetes' own e2e manifests and addons, KubeRay's samples and the GPU Operator's assets).
//
//   node test/corpus/collect.mjs     write test/corpus/files/** and test/corpus/index.json
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const HERE = dirname(fileURLToPath(import.meta.url));
const CACHE = join(process.env.MODELDOCK_CACHE ?? join(homedir(), '.cache', 'modeldock'), 'schema-sources');

/** Where the manifests come from: module, version, licence, and which paths of it. */
const SOURCES = [
  { name: 'kueue', module: 'sigs.k8s.io/kueue', version: 'v0.17.0', licence: 'Apache-2.0', include: [/^cmd\/kueueviz\/examples\//, /^config\/samples\//] },
  { name: 'prometheus-operator', module: 'github.com/prometheus-operator/prometheus-operator', version: 'v0.85.0', licence: 'Apache-2.0', include: [/^example\/(?!prometheus-operator-crd)/] },
  { name: 'kserve', module: 'github.com/kserve/kserve', version: 'v0.17.0', licence: 'Apache-2.0', include: [/^docs\/samples\//] },
  { name: 'kubeflow-training-operator', module: 'github.com/kubeflow/training-operator', version: 'v1.8.1', licence: 'Apache-2.0', include: [/^examples\//, /^manifests\/(?!.*crds\/)/] },
  { name: 'kubeflow-trainer', module: 'github.com/kubeflow/trainer/v2', version: 'v2.0.0', licence: 'Apache-2.0', include: [/^examples\//, /^manifests\/(?!.*crds\/)/] },
  { name: 'kubeflow-mpi-operator', module: 'github.com/kubeflow/mpi-operator', version: 'v0.8.0', licence: 'Apache-2.0', include: [/^examples\//, /^deploy\//, /^manifests\/(?!.*crds\/)(?!.*kubeflow\.org_mpijobs)/] },
];

const escapePath = (p) => p.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);

function readZip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    entries.set(name, () => {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const raw = buf.subarray(start, start + size);
      return method === 8 ? inflateRawSync(raw) : raw;
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** A manifest worth keeping: Kubernetes documents, no templating, not huge. */
function isManifest(text) {
  if (text.length > 256 * 1024) return false;
  if (/\{\{|\$\{|\{%/.test(text)) return false; // Helm/Jinja/envsubst templates are not manifests yet
  if (/\$patch:/.test(text)) return false; // kustomize patches are fragments, not objects
  return /^apiVersion:\s*\S/m.test(text) && /^kind:\s*\S/m.test(text);
}

const out = join(HERE, 'files');
rmSync(out, { recursive: true, force: true });
const index = [];
for (const src of SOURCES) {
  const zip = join(CACHE, `${escapePath(src.module).replace(/\//g, '+')}@${src.version}.zip`);
  if (!existsSync(zip)) throw new Error(`${zip} missing: run node scripts/gen-schemas.mjs first (it downloads the pinned modules)`);
  const prefix = `${src.module}@${src.version}/`;
  const entries = readZip(readFileSync(zip));
  for (const [name, read] of [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!name.startsWith(prefix) || !/\.ya?ml$/.test(name)) continue;
    const rel = name.slice(prefix.length);
    if (!src.include.some((re) => re.test(rel)) || /(^|\/)(kustomization|Chart|values)[^/]*\.ya?ml$/.test(rel) || /(^|\/)(patches|overlays)\//.test(rel)) continue;
    const text = read().toString('utf8');
    if (!isManifest(text)) continue;
    const dest = join(out, src.name, rel);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, text);
    index.push({ file: `files/${src.name}/${rel}`, module: src.module, version: src.version, path: rel, licence: src.licence, sha256: createHash('sha256').update(text).digest('hex') });
  }
}
writeFileSync(join(HERE, 'index.json'), `${JSON.stringify({ about: 'Real public manifests, held out from tuning; see README.md', files: index }, null, 1)}\n`);
console.log(`${index.length} files under ${resolve(out)}`);
