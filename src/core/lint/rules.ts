// The ML rules over one Kubernetes or compose document. They read the AST (not a JS copy) so every
// finding and quick-fix edit has exact positions. Cross-document facts (which pods expose which
// ports, what Services select) are collected here and checked file-wide in index.ts.
import type { Document, Node, Pair, YAMLMap } from 'yaml';
import type { Fix, Range, RuleId, Severity, TextEdit } from './types';
import { TAG_PLACEHOLDER } from './types';
import { scanQuantity } from './quantity';
import { clip, listed } from './text';

export { scanQuantity };
import { Positions, get, getPair, insertIntoMap, insertIntoSeq, isMap, isScalar, itemsOf, keyString, pairsOf, str, stringMap } from './yamlDoc';

export interface RawFinding extends Range {
  severity: Severity;
  rule: RuleId;
  message: string;
  fix?: Fix;
}

export interface PodFacts {
  namespace: string;
  labels: Record<string, string>;
  ports: { containerPort?: number; name?: string }[];
}

export interface ServiceFacts {
  namespace: string;
  name: string;
  selector: Record<string, string>;
  ports: { target: number | string; range: Range }[];
}

export interface DocFacts {
  pods: PodFacts[];
  services: ServiceFacts[];
}

interface Ctx {
  doc: Document.Parsed;
  pos: Positions;
  out: RawFinding[];
}

function add(ctx: Ctx, range: Range, severity: Severity, rule: RuleId, message: string, fix?: Fix): void {
  ctx.out.push(fix ? { ...range, severity, rule, message, fix } : { ...range, severity, rule, message });
}

// ---- Quantities ----

/** A Kubernetes resource.Quantity as a number, or undefined when it is not one (surrounding spaces ignored). */
export function parseQuantity(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const q = scanQuantity(v.trim());
  return q !== undefined && Number.isFinite(q) ? q : undefined;
}

const isGpuResource = (name: string): boolean => /(^|\/)gpu$/.test(name);

// ---- Images ----

export interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

export function parseImage(ref: string): ImageRef {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const rest = at >= 0 ? ref.slice(0, at) : ref;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), ...(digest ? { digest } : {}) };
  return { name: rest, ...(digest ? { digest } : {}) };
}

const GPU_IMAGE = /(^|[/:_.-])(cuda|cudnn)|[-_]gpu([-_.:]|$)|^nvcr\.io\//i;
export const isGpuImage = (image: string): boolean => GPU_IMAGE.test(image);

/**
 * The image text inside its scalar, as an offset, when the source spells the value verbatim
 * (plain or simply quoted); escapes or folding would make an offset-based edit unsafe.
 */
function verbatimStart(pos: Positions, node: Node | undefined, value: string): number | undefined {
  const r = node?.range;
  if (!r || !isScalar(node)) return undefined;
  const src = pos.source.slice(r[0], r[1]);
  if (src === value) return r[0];
  if (src === `"${value}"` || src === `'${value}'`) return r[0] + 1;
  return undefined;
}

function checkImage(ctx: Ctx, node: Node | undefined, where: string): void {
  const image = str(ctx.doc, node);
  if (!image || image.includes('$')) return; // templated (envsubst/Helm-rendered later): not ours to judge
  const ref = parseImage(image);
  if (ref.digest || (ref.tag && ref.tag !== 'latest')) return;
  const start = verbatimStart(ctx.pos, node, image);
  let fix: Fix | undefined;
  if (start !== undefined) {
    const edit: TextEdit = ref.tag
      ? ctx.pos.edit(start + image.length - ref.tag.length, start + image.length, TAG_PLACEHOLDER)
      : ctx.pos.edit(start + image.length, start + image.length, `:${TAG_PLACEHOLDER}`);
    fix = { title: 'Pin image tag…', edits: [edit], needsInput: 'tag' };
  }
  const msg = ref.tag
    ? `image \`${clip(image)}\`${where} uses the \`latest\` tag: pin a version so every node runs the same build`
    : `image \`${clip(image)}\`${where} has no tag, which means \`latest\`: pin a version so every node runs the same build`;
  add(ctx, ctx.pos.nodeRange(node), 'warning', 'image-latest', msg, fix);
}

// ---- Kubernetes ----

/** Where each workload kind keeps its pod template: [path to template metadata owner, path to pod spec]. */
const POD_PATHS: Record<string, { meta: string[]; spec: string[] }> = {
  Pod: { meta: ['metadata'], spec: ['spec'] },
  Deployment: { meta: ['spec', 'template', 'metadata'], spec: ['spec', 'template', 'spec'] },
  StatefulSet: { meta: ['spec', 'template', 'metadata'], spec: ['spec', 'template', 'spec'] },
  DaemonSet: { meta: ['spec', 'template', 'metadata'], spec: ['spec', 'template', 'spec'] },
  ReplicaSet: { meta: ['spec', 'template', 'metadata'], spec: ['spec', 'template', 'spec'] },
  Job: { meta: ['spec', 'template', 'metadata'], spec: ['spec', 'template', 'spec'] },
  CronJob: { meta: ['spec', 'jobTemplate', 'spec', 'template', 'metadata'], spec: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] },
};

const SERVING_KINDS = new Set(['Deployment', 'StatefulSet']);
const SELECTOR_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

function recordOf(m: Map<string, { value: string }>): Record<string, string> {
  const o: Record<string, string> = {};
  for (const [k, v] of m) o[k] = v.value;
  return o;
}

export function checkKubernetes(doc: Document.Parsed, pos: Positions, kind: string): { findings: RawFinding[]; facts: DocFacts } {
  const ctx: Ctx = { doc, pos, out: [] };
  const facts: DocFacts = { pods: [], services: [] };
  const root = doc.contents as Node | null;
  if (!root) return { findings: ctx.out, facts };
  const namespace = str(doc, get(doc, root, 'metadata', 'namespace')) ?? '';

  const paths = POD_PATHS[kind];
  if (paths) {
    const meta = get(doc, root, ...paths.meta);
    const podSpec = get(doc, root, ...paths.spec);
    if (SELECTOR_KINDS.has(kind)) checkSelector(ctx, get(doc, root, 'spec', 'selector'), meta);
    checkPodSpec(ctx, podSpec, { serving: SERVING_KINDS.has(kind), resourcesExpected: true, daemon: kind === 'DaemonSet' });
    const labels = recordOf(stringMap(doc, get(doc, meta, 'labels')));
    const ports: PodFacts['ports'] = [];
    for (const c of itemsOf(doc, get(doc, podSpec, 'containers'))) {
      for (const p of itemsOf(doc, get(doc, c, 'ports'))) {
        const cp = Number(str(doc, get(doc, p, 'containerPort')));
        const name = str(doc, get(doc, p, 'name'));
        ports.push({ ...(Number.isFinite(cp) ? { containerPort: cp } : {}), ...(name ? { name } : {}) });
      }
    }
    facts.pods.push({ namespace, labels, ports });
  } else if (kind === 'Service') {
    const selector = recordOf(stringMap(doc, get(doc, root, 'spec', 'selector')));
    const svc: ServiceFacts = { namespace, name: str(doc, get(doc, root, 'metadata', 'name')) ?? '', selector, ports: [] };
    for (const p of itemsOf(doc, get(doc, root, 'spec', 'ports'))) {
      const tNode = get(doc, p, 'targetPort') ?? get(doc, p, 'port');
      const raw = isScalar(tNode) ? tNode.value : undefined;
      if (typeof raw === 'number' || (typeof raw === 'string' && raw !== '')) {
        const target = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
        svc.ports.push({ target, range: pos.nodeRange(tNode) });
      }
    }
    facts.services.push(svc);
  } else if (kind === 'InferenceService') {
    const predictor = get(doc, root, 'spec', 'predictor');
    checkPodSpec(ctx, predictor, { serving: false, resourcesExpected: false, kserve: true });
  }
  return { findings: ctx.out, facts };
}

function checkSelector(ctx: Ctx, selector: Node | undefined, templateMeta: Node | undefined): void {
  const { doc, pos } = ctx;
  const matchLabels = stringMap(doc, get(doc, selector, 'matchLabels'));
  const labelsNode = get(doc, templateMeta, 'labels');
  const labels = stringMap(doc, labelsNode);
  const bad: { key: string; pair: Pair<Node, Node> }[] = [];
  for (const [k, { value, pair }] of matchLabels) {
    const have = labels.get(k);
    if (have?.value === value) continue;
    bad.push({ key: k, pair });
    const got = have ? `has \`${clip(k, 100)}: ${clip(have.value, 100)}\`` : `has no \`${clip(k, 100)}\` label`;
    add(ctx, pairRange(pos, pair), 'error', 'selector-mismatch', `selector \`${clip(k, 100)}: ${clip(value, 100)}\` does not match the pod template, which ${got}; the API server rejects this`, undefined);
  }
  if (bad.length) {
    const fix = alignLabelsFix(ctx, bad, labels, labelsNode, templateMeta);
    if (fix) for (const f of ctx.out.slice(-bad.length)) f.fix = fix;
  }
  for (const e of itemsOf(doc, get(doc, selector, 'matchExpressions'))) {
    const key = str(doc, get(doc, e, 'key'));
    const op = str(doc, get(doc, e, 'operator'));
    const values = itemsOf(doc, get(doc, e, 'values')).map((v) => str(doc, v) ?? '');
    if (!key || !op) continue;
    const have = labels.get(key)?.value;
    const ok =
      op === 'In' ? have !== undefined && values.includes(have)
      : op === 'NotIn' ? have === undefined || !values.includes(have)
      : op === 'Exists' ? have !== undefined
      : op === 'DoesNotExist' ? have === undefined
      : true;
    if (!ok) add(ctx, pos.nodeRange(e), 'error', 'selector-mismatch', `selector expression \`${clip(key, 100)} ${clip(op, 20)}${values.length ? ` (${listed(values)})` : ''}\` does not match the pod template's labels`);
  }
}

function pairRange(pos: Positions, pair: Pair<Node, Node>): Range {
  const k = pos.nodeRange(pair.key);
  const v = pair.value ? pos.nodeRange(pair.value) : k;
  return { line: k.line, column: k.column, endLine: v.endLine, endColumn: v.endColumn };
}

function sourceText(pos: Positions, node: Node | undefined | null): string | undefined {
  const r = node?.range;
  return r ? pos.source.slice(r[0], r[1]).trim() : undefined;
}

/** A scalar's source when it is one line (safe to copy into another line of YAML). */
function oneLineSource(pos: Positions, node: Node | undefined | null): string | undefined {
  const t = sourceText(pos, node);
  return t && isScalar(node) && !t.includes('\n') && !/^[|>]/.test(t) ? t : undefined;
}

function alignLabelsFix(ctx: Ctx, bad: { key: string; pair: Pair<Node, Node> }[], labels: Map<string, { pair: Pair<Node, Node> }>, labelsNode: Node | undefined, meta: Node | undefined): Fix | undefined {
  const { doc, pos } = ctx;
  const edits: TextEdit[] = [];
  const missing: string[] = [];
  for (const { key, pair } of bad) {
    const want = oneLineSource(pos, pair.value);
    const keyText = oneLineSource(pos, pair.key);
    if (!want || !keyText) return undefined;
    const have = labels.get(key);
    const r = have?.pair.value?.range;
    if (have && r) edits.push(pos.edit(r[0], r[1], want));
    else missing.push(`${keyText}: ${want}`);
  }
  if (missing.length) {
    let e: TextEdit | undefined;
    const labelsPair = getPair(doc, meta, 'labels');
    if (isMap(labelsNode) && labelsNode.flow) e = rewriteFlowMap(pos, labelsNode, missing);
    else if (isMap(labelsNode)) e = insertIntoMap(pos, labelsNode, missing);
    else if (labelsPair) e = fillEmptyValue(pos, labelsPair, missing);
    else e = insertIntoMap(pos, meta, ['labels:', ...missing.map((l) => `  ${l}`)]);
    if (!e) return undefined;
    edits.push(e);
  }
  return { title: 'Align pod template labels with the selector', edits };
}

/** `labels: {a: b}` + missing entries → one flow map with all of them (only for one-line scalar entries). */
function rewriteFlowMap(pos: Positions, map: Node, missing: string[]): TextEdit | undefined {
  const r = map.range;
  if (!r || !isMap(map)) return undefined;
  const parts: string[] = [];
  for (const p of (map as YAMLMap<Node, Node>).items) {
    const k = oneLineSource(pos, p.key);
    const v = p.value === null ? '' : oneLineSource(pos, p.value);
    if (!k || v === undefined) return undefined;
    parts.push(v ? `${k}: ${v}` : k);
  }
  return pos.edit(r[0], r[1], `{${[...parts, ...missing].join(', ')}}`);
}

/** `key:` / `key: ~` / `key: null` in a block map → `key:` followed by the given entries, indented under it. */
function fillEmptyValue(pos: Positions, pair: Pair<Node, Node>, entries: string[]): TextEdit | undefined {
  const k = pair.key?.range;
  const v = pair.value;
  if (!k || (v !== null && !(isScalar(v) && v.value === null))) return undefined;
  const end = v?.range ? v.range[1] : k[1];
  const between = pos.source.slice(k[1], end);
  // Only the plain layouts: `key:` then spaces and the null itself, on the key's line.
  if (!/^[ \t]*:[ \t]*(?:~|null|Null|NULL)?$/.test(between)) return undefined;
  const indent = ' '.repeat(pos.column(k[0]) + 2);
  return pos.edit(k[1], end, `:\n${entries.map((l) => indent + l).join('\n')}`);
}

// NVIDIA's own cluster software (device plugin, drivers, DCGM exporter, DRA driver, GPU Feature
// Discovery, container toolkit, MIG manager, validators) runs CUDA images on every GPU node and
// must not request GPUs: it is what makes them requestable.
const NVIDIA_INFRA = new Set(['k8s-device-plugin', 'device-plugin', 'gpu-feature-discovery', 'container-toolkit', 'k8s-driver-manager', 'driver', 'k8s-mig-manager', 'mig-manager', 'k8s-kata-manager', 'kubevirt-gpu-device-plugin', 'vgpu-device-manager', 'k8s-cc-manager', 'node-feature-discovery']);
const NVIDIA_INFRA_PREFIXES = ['dcgm', 'gpu-operator', 'k8s-dra-driver', 'dra-driver'];
const DEVICE_PATHS = ['/var/lib/kubelet/device-plugins', '/var/lib/kubelet/plugins', '/run/nvidia', '/dev'];

function isGpuInfrastructure(doc: Document.Parsed, podSpec: Node, c: Node, image: string, daemon: boolean): boolean {
  const name = parseImage(image).name.toLowerCase();
  const last = name.slice(name.lastIndexOf('/') + 1);
  if (name.startsWith('nvcr.io/nvidia/k8s/') || name.startsWith('nvcr.io/nvidia/cloud-native/') || NVIDIA_INFRA.has(last) || NVIDIA_INFRA_PREFIXES.some((p) => last.startsWith(p))) return true;
  if (!daemon) return false;
  // A privileged DaemonSet, or one that mounts the kubelet's device-plugin socket or /dev: node plumbing.
  if (str(doc, get(doc, c, 'securityContext', 'privileged')) === 'true') return true;
  const hostPaths = new Set<string>();
  for (const v of itemsOf(doc, get(doc, podSpec, 'volumes'))) {
    const p = str(doc, get(doc, v, 'hostPath', 'path'));
    if (p && DEVICE_PATHS.some((d) => p === d || p.startsWith(`${d}/`))) hostPaths.add(str(doc, get(doc, v, 'name')) ?? '');
  }
  return itemsOf(doc, get(doc, c, 'volumeMounts')).some((m) => hostPaths.has(str(doc, get(doc, m, 'name')) ?? ''));
}

function checkPodSpec(ctx: Ctx, podSpec: Node | undefined, opts: { serving: boolean; resourcesExpected: boolean; kserve?: boolean; daemon?: boolean }): void {
  const { doc, pos } = ctx;
  if (!podSpec) return;
  const containers = itemsOf(doc, get(doc, podSpec, 'containers'));
  const inits = itemsOf(doc, get(doc, podSpec, 'initContainers'));
  for (const c of [...containers, ...inits]) {
    const where = containerLabel(doc, c);
    checkImage(ctx, get(doc, c, 'image'), where);
    checkResources(ctx, get(doc, c, 'resources'), c);
  }
  if (opts.kserve) {
    const model = get(doc, podSpec, 'model');
    if (model) checkResources(ctx, get(doc, model, 'resources'), model);
  }
  for (const c of containers) {
    const anchor = get(doc, c, 'name') ?? get(doc, c, 'image') ?? c;
    const name = clip(str(doc, get(doc, c, 'name')) ?? '?', 100);
    const resources = get(doc, c, 'resources');
    if (opts.resourcesExpected && !get(doc, resources, 'requests') && !get(doc, resources, 'limits')) {
      add(ctx, pos.nodeRange(anchor), 'warning', 'missing-resources', `container \`${name}\` sets no resource requests or limits: the scheduler cannot reserve memory for the model and the pod is evicted first under pressure`);
    }
    const ports = itemsOf(doc, get(doc, c, 'ports'));
    if (opts.serving && ports.length && !get(doc, c, 'readinessProbe')) {
      const alsoLive = get(doc, c, 'livenessProbe') ? '' : ' (nor a livenessProbe)';
      add(ctx, pos.nodeRange(anchor), 'warning', 'missing-probes', `container \`${name}\` serves port ${listed(ports.map((p) => str(doc, get(doc, p, 'containerPort')) ?? '?'))} but has no readinessProbe${alsoLive}: it receives traffic before the model has loaded`);
    }
    const image = str(doc, get(doc, c, 'image'));
    const gpu = requestsGpu(doc, resources);
    if (image && isGpuImage(image) && !gpu && !isGpuInfrastructure(doc, podSpec, c, image, opts.daemon === true)) {
      add(ctx, pos.nodeRange(get(doc, c, 'image')), 'warning', 'gpu-image-without-gpu', `image \`${clip(image)}\` is built for CUDA but container \`${name}\` requests no GPU (set \`nvidia.com/gpu\` in resources.limits): it will run on CPU or fail to find a device`);
    }
    if (gpu && looksPyTorch(doc, c, image) && !hasShm(doc, podSpec, c)) {
      add(ctx, pos.nodeRange(anchor), 'info', 'shm-missing', `PyTorch GPU container \`${name}\` has no memory-backed /dev/shm: DataLoader workers and NCCL outgrow the 64 MiB default; mount an emptyDir with \`medium: Memory\` at /dev/shm`, shmFix(ctx, podSpec, c));
    }
  }
}

function containerLabel(doc: Document.Parsed, c: Node): string {
  const n = str(doc, get(doc, c, 'name'));
  return n ? ` (container \`${clip(n, 100)}\`)` : '';
}

function requestsGpu(doc: Document.Parsed, resources: Node | undefined): boolean {
  for (const section of ['limits', 'requests']) {
    for (const p of pairsOf(doc, get(doc, resources, section))) {
      const k = keyString(p);
      const q = parseQuantity(isScalar(p.value) ? p.value.value : undefined);
      if (k && isGpuResource(k) && q !== undefined && q > 0) return true;
    }
  }
  return false;
}

function looksPyTorch(doc: Document.Parsed, c: Node, image: string | undefined): boolean {
  if (image && /torch|pytorch/i.test(image)) return true;
  const words = [...itemsOf(doc, get(doc, c, 'command')), ...itemsOf(doc, get(doc, c, 'args'))].map((n) => str(doc, n) ?? '').join(' ');
  return /\b(torchrun|torch\.distributed|accelerate|deepspeed|lightning)\b/.test(words);
}

function hasShm(doc: Document.Parsed, podSpec: Node, c: Node): boolean {
  const memoryVolumes = new Set<string>();
  for (const v of itemsOf(doc, get(doc, podSpec, 'volumes'))) {
    if (str(doc, get(doc, v, 'emptyDir', 'medium')) === 'Memory') memoryVolumes.add(str(doc, get(doc, v, 'name')) ?? '');
  }
  return shmMounts(doc, c).some((m) => memoryVolumes.has(str(doc, get(doc, m, 'name')) ?? ''));
}

/** The container's volume mounts at /dev/shm (trailing slashes ignored). */
function shmMounts(doc: Document.Parsed, c: Node): Node[] {
  return itemsOf(doc, get(doc, c, 'volumeMounts')).filter((m) => {
    let p = str(doc, get(doc, m, 'mountPath')) ?? '';
    let end = p.length;
    while (end > 1 && p.charCodeAt(end - 1) === 47) end--;
    p = p.slice(0, end);
    return p === '/dev/shm';
  });
}

function shmFix(ctx: Ctx, podSpec: Node, c: Node): Fix | undefined {
  const { doc, pos } = ctx;
  // Something is mounted at /dev/shm already (not memory-backed): a second mount there is invalid.
  if (shmMounts(doc, c).length) return undefined;
  const volumes = get(doc, podSpec, 'volumes');
  const names = new Set(itemsOf(doc, volumes).map((v) => str(doc, get(doc, v, 'name')) ?? ''));
  let name = 'dshm';
  for (let i = 2; names.has(name); i++) name = `dshm-${i}`;
  const mounts = get(doc, c, 'volumeMounts');
  const mountEdit = mounts
    ? insertIntoSeq(pos, mounts, [`name: ${name}`, 'mountPath: /dev/shm'])
    : insertIntoMap(pos, c, ['volumeMounts:', `  - name: ${name}`, '    mountPath: /dev/shm']);
  const volumeEdit = volumes
    ? insertIntoSeq(pos, volumes, [`name: ${name}`, 'emptyDir:', '  medium: Memory'])
    : insertIntoMap(pos, podSpec, ['volumes:', `  - name: ${name}`, '    emptyDir:', '      medium: Memory']);
  if (!mountEdit || !volumeEdit) return undefined;
  // Same-offset insertions apply in array order: the mount (deeper) must come before the volume.
  return { title: 'Add a memory-backed /dev/shm volume', edits: [mountEdit, volumeEdit] };
}

function isWholeQuantity(raw: unknown): boolean {
  if (typeof raw === 'number') return Number.isInteger(raw);
  const t = String(raw).trim();
  if (!t) return false;
  let i = t[0] === '+' ? 1 : 0;
  if (i >= t.length) return false;
  for (; i < t.length; i++) if (t.charCodeAt(i) < 48 || t.charCodeAt(i) > 57) return false;
  return true;
}

function checkResources(ctx: Ctx, resources: Node | undefined, container: Node): void {
  const { doc, pos } = ctx;
  if (!resources) return;
  const requests = get(doc, resources, 'requests');
  const limits = get(doc, resources, 'limits');
  const limitPairs = new Map(pairsOf(doc, limits).map((p) => [keyString(p) ?? '', p] as const));
  const fractional = new Set<string>();
  for (const [section, node] of [['requests', requests], ['limits', limits]] as const) {
    for (const p of pairsOf(doc, node)) {
      const k = keyString(p);
      if (!k || !isGpuResource(k) || !isScalar(p.value)) continue;
      const raw = p.value.value;
      const q = parseQuantity(raw);
      if (q === undefined) continue;
      if (!isWholeQuantity(raw)) {
        fractional.add(k);
        const up = Math.max(1, Math.ceil(q - 1e-9));
        const r = p.value.range;
        const fix: Fix | undefined = r ? { title: `Round \`${clip(k, 100)}\` up to ${up}`, edits: [pos.edit(r[0], r[1], String(up))] } : undefined;
        add(ctx, pos.nodeRange(p.value), 'error', 'gpu-fractional', `\`${clip(k, 100)}\` ${section} must be a whole number of GPUs, got ${clip(sourceText(pos, p.value) ?? String(raw), 60)}; GPUs cannot be shared by fractions (use MIG or time-slicing profiles instead)`, fix);
      }
    }
  }
  for (const p of pairsOf(doc, requests)) {
    const k = keyString(p);
    if (!k || !isScalar(p.value)) continue;
    const req = parseQuantity(p.value.value);
    const lim = limitPairs.get(k);
    const limQ = lim && isScalar(lim.value) ? parseQuantity(lim.value.value) : undefined;
    const reqSrc = clip(sourceText(pos, p.value) ?? String(p.value.value), 60);
    if (isGpuResource(k)) {
      // A fractional side is already an error (with its own fix): comparing it with the other side
      // says nothing new, and rounding one side would only trade one error for another.
      if (req === undefined || (lim && fractional.has(k)) || (limQ !== undefined && limQ === req)) continue;
      const msg = lim
        ? `\`${clip(k, 100)}\` request ${reqSrc} differs from its limit ${clip(sourceText(pos, lim.value) ?? '?', 60)}: extended resources like GPUs need requests equal to limits`
        : `\`${clip(k, 100)}\` is requested (${reqSrc}) without a limit: GPUs must be set in limits (requests default to limits), or in both with equal values`;
      add(ctx, pos.nodeRange(p.key), 'error', 'gpu-request-mismatch', msg, gpuLimitFix(ctx, resources, limits, lim, p, container));
      continue;
    }
    if (req !== undefined && limQ !== undefined && req > limQ) {
      add(ctx, pos.nodeRange(p.value), 'error', 'requests-exceed-limits', `\`${clip(k, 100)}\` request ${reqSrc} exceeds its limit ${clip(sourceText(pos, lim?.value) ?? '?', 60)}; the API server rejects requests above limits`);
    }
  }
}

function gpuLimitFix(ctx: Ctx, resources: Node, limits: Node | undefined, lim: Pair<Node, Node> | undefined, request: Pair<Node, Node>, _container: Node): Fix | undefined {
  const { doc, pos } = ctx;
  const raw = isScalar(request.value) ? request.value.value : undefined;
  const q = parseQuantity(raw);
  // A fractional request gets a whole limit: copying 0.5 would only move the error to the limit.
  const value = q !== undefined && !isWholeQuantity(raw) ? String(Math.max(1, Math.ceil(q - 1e-9))) : oneLineSource(pos, request.value);
  const keyText = oneLineSource(pos, request.key);
  if (!value || !keyText) return undefined;
  let edit: TextEdit | undefined;
  const r = lim?.value?.range;
  const limitsPair = getPair(doc, resources, 'limits');
  if (lim && r) edit = pos.edit(r[0], r[1], value);
  else if (isMap(limits) && limits.flow) edit = rewriteFlowMap(pos, limits, [`${keyText}: ${value}`]);
  else if (isMap(limits)) edit = insertIntoMap(pos, limits, [`${keyText}: ${value}`]);
  else if (limitsPair) edit = fillEmptyValue(pos, limitsPair, [`${keyText}: ${value}`]);
  else if (isMap(resources) && resources.flow) edit = undefined;
  else edit = insertIntoMap(pos, resources, ['limits:', `  ${keyText}: ${value}`]);
  return edit ? { title: `Set the \`${clip(keyString(request) ?? keyText, 100)}\` limit to ${value}`, edits: [edit] } : undefined;
}

/** At most this many label comparisons for the whole file's port check (the rule is a warning; it gives up quietly). */
const PORT_CHECK_BUDGET = 2_000_000;

/**
 * Service targetPorts against the ports of the pods they select, in this file. Pods are grouped by
 * namespace and label set and indexed by each `key=value`; a Service looks only at the groups
 * holding its rarest selector pair, and Services with the same selector share one answer.
 */
export function checkPorts(services: ServiceFacts[], pods: PodFacts[]): (RawFinding & { serviceIndex: number })[] {
  const out: (RawFinding & { serviceIndex: number })[] = [];
  if (!services.length || !pods.length) return out;
  interface Group {
    labels: Record<string, string>;
    numbers: Set<number>;
    names: Set<string>;
  }
  const groups = new Map<string, Group>();
  const index = new Map<string, Group[]>();
  for (const p of pods) {
    const entries = Object.entries(p.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const id = JSON.stringify([p.namespace, entries]);
    let g = groups.get(id);
    if (!g) {
      g = { labels: p.labels, numbers: new Set(), names: new Set() };
      groups.set(id, g);
      for (const [k, v] of entries) {
        const key = JSON.stringify([p.namespace, k, v]);
        const list = index.get(key);
        if (list) list.push(g);
        else index.set(key, [g]);
      }
    }
    for (const port of p.ports) {
      if (port.containerPort !== undefined) g.numbers.add(port.containerPort);
      if (port.name) g.names.add(port.name);
    }
  }
  let budget = PORT_CHECK_BUDGET;
  const answers = new Map<string, Group[] | undefined>();
  const matching = (svc: ServiceFacts, sel: [string, string][]): Group[] | undefined => {
    const id = JSON.stringify([svc.namespace, [...sel].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
    if (answers.has(id)) return answers.get(id);
    let rarest: Group[] | undefined;
    for (const [k, v] of sel) {
      const list = index.get(JSON.stringify([svc.namespace, k, v]));
      if (!list) {
        rarest = [];
        break;
      }
      if (!rarest || list.length < rarest.length) rarest = list;
    }
    let result: Group[] | undefined = [];
    if (rarest && rarest.length) {
      budget -= rarest.length * sel.length;
      result = budget < 0 ? undefined : rarest.filter((g) => sel.every(([k, v]) => g.labels[k] === v));
    }
    answers.set(id, result);
    return result;
  };
  services.forEach((svc, serviceIndex) => {
    const sel = Object.entries(svc.selector);
    if (!sel.length) return;
    const matched = matching(svc, sel);
    // Pods that declare no ports may still listen: containerPort is informational, so stay quiet.
    if (!matched || !matched.length || matched.every((g) => !g.numbers.size && !g.names.size)) return;
    for (const sp of svc.ports) {
      const target = sp.target;
      const ok = typeof target === 'number' ? matched.some((g) => g.numbers.has(target)) : matched.some((g) => g.names.has(target));
      if (ok) continue;
      const selText = listed(sel.map(([k, v]) => `${k}: ${v}`), 5);
      const numbers = new Set<string>();
      const names = new Set<string>();
      for (const g of matched) {
        for (const n of g.numbers) if (numbers.size <= 10) numbers.add(String(n));
        for (const n of g.names) if (names.size <= 10) names.add(n);
        if (numbers.size > 10 && names.size > 10) break;
      }
      const some = (xs: Set<string>): string => (xs.size > 10 ? `${listed([...xs].slice(0, 10))}, …` : listed([...xs]));
      const message =
        typeof target === 'number'
          ? `targetPort ${target} is not a containerPort of the pods this Service selects (\`${selText}\` exposes ${some(numbers) || 'no numbered port'})`
          : `targetPort \`${clip(target, 100)}\` names no container port of the pods this Service selects (\`${selText}\` has named ports: ${some(names) || 'none'})`;
      out.push({ ...sp.range, severity: 'warning', rule: 'port-mismatch', message, serviceIndex });
    }
  });
  return out;
}

// ---- Compose ----

export function checkCompose(doc: Document.Parsed, pos: Positions): RawFinding[] {
  const ctx: Ctx = { doc, pos, out: [] };
  for (const p of pairsOf(doc, get(doc, doc.contents as Node | undefined, 'services'))) {
    const svc = p.value ?? undefined;
    const name = keyString(p) ?? '?';
    const imageNode = get(doc, svc, 'image');
    // With `build:`, `image:` only names the result; `latest` there is normal.
    if (!get(doc, svc, 'build')) checkImage(ctx, imageNode, ` (service \`${clip(name, 100)}\`)`);
    const image = str(doc, imageNode);
    if (image && isGpuImage(image) && !composeRequestsGpu(doc, svc)) {
      add(ctx, pos.nodeRange(imageNode), 'warning', 'gpu-image-without-gpu', `image \`${clip(image)}\` is built for CUDA but service \`${clip(name, 100)}\` reserves no GPU (add \`gpus: all\` or deploy.resources.reservations.devices with capabilities [gpu])`);
    }
  }
  return ctx.out;
}

function composeRequestsGpu(doc: Document.Parsed, svc: Node | undefined): boolean {
  if (get(doc, svc, 'gpus')) return true;
  if (str(doc, get(doc, svc, 'runtime')) === 'nvidia') return true;
  for (const d of itemsOf(doc, get(doc, svc, 'deploy', 'resources', 'reservations', 'devices'))) {
    if (itemsOf(doc, get(doc, d, 'capabilities')).some((c) => str(doc, c) === 'gpu')) return true;
    if (/nvidia/i.test(str(doc, get(doc, d, 'driver')) ?? '')) return true;
  }
  return false;
}
