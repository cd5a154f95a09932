#!/usr/bin/env node
// Generates the schemas the linter validates Kubernetes objects with, from official sources:
//
// - Built-in kinds: the OpenAPI v3 documents (api/openapi-spec/v3/*.json) of the k8s.io/kubernetes
//   Go module, one bundle per Kubernetes minor (K8S_RELEASES below).
// - Custom resources ML teams use: the CustomResourceDefinition YAML of KServe, KubeRay, Kubeflow
//   Trainer / training-operator / mpi-operator, Prometheus Operator, Kueue and NVIDIA's GPU Operator,
//   from their Go modules (CRD_SOURCES below).
//
// Sources are Go module zips from the Go module proxy ($GOPROXY's first entry, default
// https://proxy.golang.org), pinned by version and SHA-256 and cached per machine in
// ~/.cache/modeldock/schema-sources (MODELDOCK_CACHE overrides ~/.cache/modeldock).
//
// Output (committed): src/core/lint/generated/k8s-schemas.ts and crd-schemas.ts — minimised JSON
// (descriptions, defaults, examples and CEL rules dropped; repeated subtrees of CRDs shared), each
// bundle brotli-compressed and base64-encoded, decoded lazily by the linter one version at a time —
// and schemas/sources.json (what came from where, with licences).
//
//   node scripts/gen-schemas.mjs           download what is missing, write the files
//   node scripts/gen-schemas.mjs --check   exit 1 if the committed files differ from a fresh run
//
// To refresh: add the new Kubernetes patch release (or a new minor: drop the oldest to keep about
// eight) or the new operator version to the tables, run once with the hash left empty to see the
// download's SHA-256, pin it, run again, and run the lint tests (test/unit/lint, test/corpus).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, inflateRawSync } from 'node:zlib';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const YAML = require('yaml');

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'src', 'core', 'lint', 'generated');
const CACHE = join(process.env.MODELDOCK_CACHE ?? join(homedir(), '.cache', 'modeldock'), 'schema-sources');

/** Kubernetes releases: the newest patch of each minor at generation time. */
const K8S_RELEASES = [
  ['v1.30.14', '37f61393f5f6303eca578cb027b3d4b83bb4ac3916426ba6961a78cddf083815'],
  ['v1.31.14', '823014fb3b8643f3ec52be922cabf0446e92423b2d8f40ffa0c1f5ff3fbe82e8'],
  ['v1.32.13', '545b73e6a5df5b9db8c724e4d9b60d2c0c70f55e48de455a067c16f4f2dad86e'],
  ['v1.33.13', 'cd4e4f983deae0fe76915c8d0ae4caf0c2d74c7f377b2e0cd27cc5ce3794b56d'],
  ['v1.34.4', '6641440638f79b2115813c8f2ba26d35b2ab7fb4d8a5111fbee279d93abf1fcb'],
  ['v1.35.4', '9fc1e1dc3b24a61495c578c5c631c45d74707dd415d748e13fc27441f44327a6'],
  ['v1.36.3', '42944231bce5403ec572575f23d4306e88df359108774a6de35f41d2f9a13384'],
  ['v1.37.2', 'dcfaeb46861398df1c931948c9775b31cbe6eba35cc97ed1bb87106ab7327b9e'],
];

/** CRD sources: one bundle each; `kinds` limits which CRDs of the files are taken. */
const CRD_SOURCES = [
  {
    name: 'kserve',
    module: 'github.com/kserve/kserve',
    version: 'v0.17.0',
    sha256: '2524cf9bb279ee996290e7d6377a71b6469bad6831293356d530a2f927525497',
    files: ['config/crd/full/serving.kserve.io_inferenceservices.yaml', 'config/crd/full/serving.kserve.io_servingruntimes.yaml', 'config/crd/full/serving.kserve.io_clusterservingruntimes.yaml', 'config/crd/full/serving.kserve.io_inferencegraphs.yaml'],
  },
  {
    name: 'kuberay',
    module: 'github.com/ray-project/kuberay/ray-operator',
    version: 'v1.5.0',
    sha256: '59792cf6d32ecb6512403a4a470c2d2100ba81ab7583dcf4db4a3f0d6df5fab9',
    files: ['config/crd/bases/ray.io_rayclusters.yaml', 'config/crd/bases/ray.io_rayjobs.yaml', 'config/crd/bases/ray.io_rayservices.yaml'],
  },
  {
    name: 'kubeflow-trainer',
    module: 'github.com/kubeflow/trainer/v2',
    version: 'v2.0.0',
    sha256: '62bb5435bf7bb0a7b3bbbbfde6eb998e54b1e7338366f1e5292c0ec1b2d693fe',
    files: ['manifests/base/crds/trainer.kubeflow.org_trainjobs.yaml', 'manifests/base/crds/trainer.kubeflow.org_trainingruntimes.yaml', 'manifests/base/crds/trainer.kubeflow.org_clustertrainingruntimes.yaml'],
  },
  {
    name: 'kubeflow-training-operator',
    module: 'github.com/kubeflow/training-operator',
    version: 'v1.8.1',
    sha256: 'e5c2c0409df61d09110e788e781b92cfc4a3462b712c05e00f7f82f630a9d264',
    files: ['manifests/base/crds/kubeflow.org_pytorchjobs.yaml', 'manifests/base/crds/kubeflow.org_tfjobs.yaml', 'manifests/base/crds/kubeflow.org_mpijobs.yaml'],
  },
  {
    name: 'kubeflow-mpi-operator',
    module: 'github.com/kubeflow/mpi-operator',
    version: 'v0.8.0',
    sha256: 'd3f8ba9c79c224865b78620f28fee7e7ab505ece84e2d105908deb4f5c149f5c',
    files: ['manifests/base/kubeflow.org_mpijobs.yaml'],
  },
  {
    name: 'prometheus-operator',
    module: 'github.com/prometheus-operator/prometheus-operator',
    version: 'v0.85.0',
    sha256: '0bdb88ed823d0f2e86cf909638439b6ad1da744a228172c7411d9987527dc5d1',
    files: ['example/prometheus-operator-crd-full/monitoring.coreos.com_servicemonitors.yaml', 'example/prometheus-operator-crd-full/monitoring.coreos.com_podmonitors.yaml', 'example/prometheus-operator-crd-full/monitoring.coreos.com_prometheusrules.yaml'],
  },
  {
    name: 'kueue',
    module: 'sigs.k8s.io/kueue',
    version: 'v0.17.0',
    sha256: '3c2a32fe2714a4ed581dd2de3b95a32fb9b770f5a5a692e2316c4526d8d7e1b8',
    files: ['config/components/crd/bases/kueue.x-k8s.io_localqueues.yaml', 'config/components/crd/bases/kueue.x-k8s.io_clusterqueues.yaml', 'config/components/crd/bases/kueue.x-k8s.io_workloads.yaml', 'config/components/crd/bases/kueue.x-k8s.io_resourceflavors.yaml'],
  },
  {
    name: 'nvidia-gpu-operator',
    module: 'github.com/NVIDIA/gpu-operator',
    version: 'v0.0.0-20250917190837-d73a0086a6ba',
    sha256: '0ddab0d16942470743ec93ffb083851cc77d1cd4e461330b0d4439df7f15a2ae',
    files: ['config/crd/bases/nvidia.com_clusterpolicies.yaml'],
  },
];

// ---- Go module proxy ----

const PROXY = (process.env.GOPROXY ?? 'https://proxy.golang.org').split(/[,|]/).find((p) => /^https?:\/\//.test(p)) ?? 'https://proxy.golang.org';
/** The proxy's case encoding: each upper-case letter becomes '!' + lower case. */
const escapePath = (p) => p.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);

async function moduleZip(module, version, sha256) {
  const file = join(CACHE, `${escapePath(module).replace(/\//g, '+')}@${version}.zip`);
  if (!existsSync(file)) {
    mkdirSync(CACHE, { recursive: true });
    const url = `${PROXY.replace(/\/$/, '')}/${escapePath(module)}/@v/${version}.zip`;
    process.stderr.write(`downloading ${url}\n`);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  }
  const data = readFileSync(file);
  const got = createHash('sha256').update(data).digest('hex');
  if (got !== sha256) throw new Error(`${module}@${version}: SHA-256 ${got}, pinned ${sha256 || '(none)'}; pin the new hash only after checking the source`);
  return { data, prefix: `${module}@${version}/` };
}

/** The entries of a zip (central directory; stored or deflated), as name → () => Buffer. */
function readZip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad zip central directory');
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
      if (method === 0) return raw;
      if (method === 8) return inflateRawSync(raw);
      throw new Error(`${name}: zip method ${method}`);
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function licenceOf(entries, prefix) {
  const read = entries.get(`${prefix}LICENSE`);
  const text = read ? read().toString('utf8') : '';
  if (/Apache License\s+Version 2\.0/.test(text)) return 'Apache-2.0';
  throw new Error(`${prefix}: no Apache-2.0 LICENSE found; check the licence before bundling`);
}

// ---- Minimising schemas ----

/** Formats the validator checks; the others (date-time, double…) are dropped. */
const FORMATS = new Set(['byte', 'int32', 'int64', 'int-or-string', 'quantity']);
const KEEP = ['default', 'enum', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'multipleOf', 'uniqueItems', 'nullable', 'required'];

/** The pattern controller-gen writes for resource.Quantity fields of CRDs: checked by the quantity scanner instead. */
const QUANTITY_PATTERN = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

function minimise(s, refName) {
  if (s === true || s === false) return s;
  if (!s || typeof s !== 'object') return s;
  if (s.$ref) return { $ref: refName(s.$ref) };
  // `allOf: [{$ref}]` is how OpenAPI v3 attaches a description or default to a reference.
  if (Array.isArray(s.allOf) && s.allOf.length === 1 && s.allOf[0].$ref && !s.properties && !s.type) return { $ref: refName(s.allOf[0].$ref), ...(s.default !== undefined ? { default: s.default } : {}) };
  const out = {};
  if (s['x-kubernetes-int-or-string']) out.type = ['integer', 'string'];
  else if (s.type) out.type = s.type;
  if (s.format && FORMATS.has(s.format)) out.format = s.format;
  if (s['x-kubernetes-int-or-string'] && !out.format) out.format = 'int-or-string';
  for (const k of KEEP) if (s[k] !== undefined) out[k] = s[k];
  if (s.pattern === QUANTITY_PATTERN) {
    delete out.pattern;
    out.format = 'quantity';
  }
  if (s['x-kubernetes-preserve-unknown-fields']) out.preserve = true;
  if (s['x-kubernetes-embedded-resource']) out.embedded = true;
  if (s.properties) {
    out.properties = {};
    for (const k of Object.keys(s.properties).sort()) out.properties[k] = minimise(s.properties[k], refName);
  }
  if (s.additionalProperties !== undefined) out.additionalProperties = minimise(s.additionalProperties, refName);
  if (s.items) out.items = minimise(s.items, refName);
  for (const k of ['oneOf', 'anyOf', 'allOf']) {
    // The int-or-string alternatives of x-kubernetes-int-or-string are already in `type`.
    if (Array.isArray(s[k]) && !(s['x-kubernetes-int-or-string'] && k === 'anyOf')) out[k] = s[k].map((x) => minimise(x, refName));
  }
  if (s.not) out.not = minimise(s.not, refName);
  return out;
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]);
    return o;
  }
  return v;
}

const pack = (obj) => brotliCompressSync(Buffer.from(JSON.stringify(obj)), { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24 } }).toString('base64');

// ---- Built-in kinds ----

const SPEC_DIR = 'api/openapi-spec/v3/';

async function kubernetes() {
  const bundles = {};
  const gvkVersions = {};
  const sources = [];
  const minors = [];
  for (const [version, sha256] of K8S_RELEASES) {
    const { data, prefix } = await moduleZip('k8s.io/kubernetes', version, sha256);
    const entries = readZip(data);
    const licence = licenceOf(entries, prefix);
    const minor = version.slice(1).split('.').slice(0, 2).join('.');
    minors.push(minor);
    const defs = {};
    const kinds = {};
    const names = [...entries.keys()].filter((n) => n.startsWith(prefix + SPEC_DIR) && n.endsWith('_openapi.json')).sort();
    for (const n of names) {
      const doc = JSON.parse(entries.get(n)().toString('utf8'));
      for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
        for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) {
          // Objects one writes in a manifest have metadata; DeleteOptions, WatchEvent and friends do not.
          if (!schema.properties?.metadata || !schema.properties?.kind) continue;
          const id = `${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`;
          kinds[id] = name;
        }
        if (defs[name]) continue;
        defs[name] = minimise(schema, (ref) => ref.replace('#/components/schemas/', ''));
      }
    }
    // Quantity and IntOrString are unions the validator knows by format.
    if (defs['io.k8s.apimachinery.pkg.api.resource.Quantity']) defs['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { format: 'quantity', type: ['string', 'number'] };
    if (defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString']) defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { format: 'int-or-string', type: ['integer', 'string'] };
    for (const id of Object.keys(kinds)) (gvkVersions[id] ??= []).push(minor);
    bundles[minor] = pack(sortKeys({ version: version.slice(1), kinds, defs }));
    sources.push({ what: `Kubernetes ${minor} built-in kinds (${Object.keys(kinds).length})`, module: 'k8s.io/kubernetes', version, sha256, path: SPEC_DIR, licence });
  }
  return { bundles, gvkVersions, sources, minors };
}

// ---- CRDs ----

/**
 * Repeated schemas within a CRD bundle (PodSpec appears a dozen times in KServe's) become shared
 * definitions. Only schema nodes are shared — never a `properties` map itself.
 */
function share(schemas, defs, prefix) {
  const counts = new Map();
  const canon = new Map();
  let n = 0;
  // Each node is keyed by a hash of its full content (children unshared), so both passes agree on
  // keys; `size` is its JSON length, and only big subtrees are worth sharing.
  const hash = (x) => createHash('sha256').update(x).digest('base64');
  const visit = (s, replace) => {
    if (!s || typeof s !== 'object' || Array.isArray(s)) {
      const j = JSON.stringify(s) ?? 'null';
      return { raw: j.length > 64 ? hash(j) : j, size: j.length, out: s };
    }
    let size = 2;
    const raw = {};
    const out = {};
    for (const k of Object.keys(s).sort()) {
      const v = s[k];
      if (k === 'properties' && v && typeof v === 'object') {
        raw[k] = {};
        out[k] = {};
        for (const p of Object.keys(v).sort()) {
          const r = visit(v[p], replace);
          raw[k][p] = r.raw;
          out[k][p] = r.out;
          size += r.size + p.length + 4;
        }
      } else if ((k === 'items' || k === 'additionalProperties' || k === 'not') && v && typeof v === 'object') {
        const r = visit(v, replace);
        raw[k] = r.raw;
        out[k] = r.out;
        size += r.size;
      } else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) {
        const rs = v.map((x) => visit(x, replace));
        raw[k] = rs.map((r) => r.raw);
        out[k] = rs.map((r) => r.out);
        for (const r of rs) size += r.size + 1;
      } else {
        const j = JSON.stringify(v);
        raw[k] = j;
        out[k] = v;
        size += j.length;
      }
      size += k.length + 4;
    }
    const key = hash(JSON.stringify(raw));
    if (size < 400) return { raw: key, size, out };
    if (!replace) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return { raw: key, size, out };
    }
    if ((counts.get(key) ?? 0) < 2) return { raw: key, size, out };
    let name = canon.get(key);
    if (!name) {
      name = `${prefix}${(n++).toString(36)}`;
      canon.set(key, name);
      defs[name] = out;
    }
    return { raw: key, size, out: { $ref: name } };
  };
  for (const s of schemas) visit(s, false);
  return schemas.map((s) => visit(s, true).out);
}

async function crds() {
  const index = {};
  const bundles = {};
  const sources = [];
  const byKind = new Map();
  for (const src of CRD_SOURCES) {
    const { data, prefix } = await moduleZip(src.module, src.version, src.sha256);
    const entries = readZip(data);
    const licence = licenceOf(entries, prefix);
    const kinds = [];
    for (const f of src.files) {
      const read = entries.get(prefix + f);
      if (!read) throw new Error(`${src.module}@${src.version}: ${f} not found`);
      for (const doc of YAML.parseAllDocuments(read().toString('utf8'))) {
        const crd = doc.toJS();
        if (crd?.kind !== 'CustomResourceDefinition') continue;
        const { group, names, scope, versions } = crd.spec;
        const id = `${group}/${names.kind}`;
        let entry = byKind.get(id);
        if (!entry) {
          entry = { group, kind: names.kind, scope, versions: [] };
          byKind.set(id, entry);
        }
        for (const v of versions) {
          if (entry.versions.some((x) => x.name === v.name)) continue;
          entry.versions.push({ name: v.name, served: v.served !== false, deprecated: !!v.deprecated, warning: v.deprecationWarning, source: src.name, schema: v.schema?.openAPIV3Schema });
        }
        kinds.push(`${names.kind} (${versions.map((v) => v.name).join(', ')})`);
      }
    }
    sources.push({ what: `CRDs: ${kinds.join(', ')}`, module: src.module, version: src.version, sha256: src.sha256, files: src.files, licence });
  }
  // One bundle per source: a manifest using Ray loads KubeRay's schemas only.
  const perSource = new Map();
  for (const [id, entry] of [...byKind.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    index[id] = { scope: entry.scope, versions: entry.versions.map((v) => ({ name: v.name, served: v.served, ...(v.deprecated ? { deprecated: true } : {}), ...(v.warning ? { warning: v.warning } : {}), source: v.source })) };
    for (const v of entry.versions) {
      let b = perSource.get(v.source);
      if (!b) perSource.set(v.source, (b = { schemas: {}, defs: {} }));
      b.schemas[`${id}/${v.name}`] = v.schema ? minimise(v.schema, (ref) => ref) : { preserve: true, type: 'object' };
    }
  }
  for (const [source, b] of perSource) {
    const keys = Object.keys(b.schemas).sort();
    const shared = share(keys.map((k) => b.schemas[k]), b.defs, `~${source}:`);
    const schemas = Object.fromEntries(keys.map((k, i) => [k, shared[i]]));
    bundles[source] = pack(sortKeys({ schemas, defs: b.defs }));
  }
  return { index, bundles, sources };
}

// ---- Output ----

const HEADER = '// GENERATED by scripts/gen-schemas.mjs from Go module zips (see schemas/sources.json): do not edit.\n';

function tsFiles(k8s, crd) {
  const versions = k8s.minors;
  const gvks = Object.fromEntries(
    Object.entries(k8s.gvkVersions)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, vs]) => [id, vs.map((v) => versions.indexOf(v).toString(36)).join('')]),
  );
  const k8sTs =
    HEADER +
    `/** Kubernetes minors with bundled schemas, oldest first; the last is the default. */\n` +
    `export const K8S_VERSIONS = ${JSON.stringify(versions)} as const;\n\n` +
    `/** The release each minor's schemas come from. */\n` +
    `export const K8S_RELEASES: Readonly<Record<string, string>> = ${JSON.stringify(Object.fromEntries(K8S_RELEASES.map(([v]) => [v.slice(1).split('.').slice(0, 2).join('.'), v.slice(1)])))};\n\n` +
    `/** group/version/Kind → the minors serving it, as indices into K8S_VERSIONS (base 36). */\n` +
    `export const K8S_GVKS: Readonly<Record<string, string>> = ${JSON.stringify(gvks, null, 0)};\n\n` +
    `/** Per minor: brotli-compressed, base64-encoded JSON { version, kinds, defs }. */\n` +
    `export const K8S_BUNDLES: Readonly<Record<string, string>> = {\n${Object.entries(k8s.bundles)
      .map(([v, b]) => `  ${JSON.stringify(v)}: ${JSON.stringify(b)},`)
      .join('\n')}\n};\n`;
  const crdTs =
    HEADER +
    `export interface BundledCrdVersion {\n  name: string;\n  served: boolean;\n  deprecated?: boolean;\n  warning?: string;\n  /** Key of the bundle (CRD_BUNDLES) holding the schema. */\n  source: string;\n}\n\n` +
    `/** group/Kind → its scope and versions. */\n` +
    `export const CRD_INDEX: Readonly<Record<string, { scope: string; versions: readonly BundledCrdVersion[] }>> = ${JSON.stringify(crd.index, null, 1)};\n\n` +
    `/** Per source: brotli-compressed, base64-encoded JSON { schemas: { 'group/Kind/version': schema }, defs }. */\n` +
    `export const CRD_BUNDLES: Readonly<Record<string, string>> = {\n${Object.entries(crd.bundles)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([s, b]) => `  ${JSON.stringify(s)}: ${JSON.stringify(b)},`)
      .join('\n')}\n};\n`;
  return [
    [join(OUT_DIR, 'k8s-schemas.ts'), k8sTs],
    [join(OUT_DIR, 'crd-schemas.ts'), crdTs],
    [join(ROOT, 'schemas', 'sources.json'), `${JSON.stringify({ generatedBy: 'scripts/gen-schemas.mjs', proxy: 'Go module proxy', sources: [...k8s.sources, ...crd.sources] }, null, 2)}\n`],
  ];
}

const k8s = await kubernetes();
const crd = await crds();
const outputs = tsFiles(k8s, crd);
const check = process.argv.includes('--check');
let stale = false;
for (const [file, text] of outputs) {
  if (check) {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
      console.error(`stale: ${relative(ROOT, file)} (run node scripts/gen-schemas.mjs)`);
      stale = true;
    }
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    console.log(`wrote ${relative(ROOT, file)} (${(text.length / 1024).toFixed(0)} KiB)`);
  }
}
if (stale) process.exit(1);
