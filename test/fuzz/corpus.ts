// Inputs for the lint fuzz tier: real and generated manifests, the mutations that found hangs and
// position drift before (nested flow keys, backtracking quantities, huge maps with anchors, broken
// tokens, CRLF, tabs), and the issue's table of pathological inputs at their reported sizes.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** mulberry32: tiny, seedable, good enough to pick mutations reproducibly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rand = () => number;
export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** VS Code snippet body with its defaults filled in. */
function expandSnippet(body: string | string[]): string {
  const text = Array.isArray(body) ? body.join('\n') : body;
  const defaults = new Map<string, string>();
  for (const m of text.matchAll(/\$\{(\d+):([^}]*)\}/g)) if (!defaults.has(m[1]!)) defaults.set(m[1]!, m[2]!);
  for (const m of text.matchAll(/\$\{(\d+)\|([^|]*)\|\}/g)) if (!defaults.has(m[1]!)) defaults.set(m[1]!, m[2]!.split(',')[0]!);
  return text
    .replace(/\$\{(\d+):([^}]*)\}/g, (_a, _n: string, d: string) => d)
    .replace(/\$\{(\d+)\|([^|]*)\|\}/g, (_a, _n: string, c: string) => c.split(',')[0]!)
    .replace(/(?<!\\)\$\{(\d+)\}|(?<!\\)\$(\d+)/g, (_a, a: string | undefined, b: string | undefined) => defaults.get(a ?? b ?? '') ?? '')
    .replace(/\\\$/g, '$');
}

function yamlFilesUnder(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yamlFilesUnder(p, out);
    else if (/\.ya?ml$/i.test(name) && statSync(p).size < 512 * 1024) out.push(p);
  }
  return out;
}

export function deployment(o: { name?: string; image?: string; gpu?: string; labels?: string } = {}): string {
  const name = o.name ?? 'web';
  const gpu = o.gpu ? `\n              nvidia.com/gpu: ${o.gpu}` : '';
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:${o.labels ?? `\n        app: ${name}`}
    spec:
      containers:
        - name: server
          image: ${o.image ?? 'registry.example.com/web:1.2.3'}
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
          resources:
            requests:
              cpu: 500m
              memory: 1Gi${gpu}
            limits:
              memory: 1Gi${gpu}
`;
}

const HAND = [
  deployment(),
  deployment({ image: 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', gpu: '0.5' }),
  deployment({ image: 'pytorch/pytorch:latest', labels: '' }),
  deployment({ image: 'nvcr.io/nvidia/pytorch:24.01-py3', labels: ' {}' }),
  deployment({ labels: ' ~' }),
  'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]\n---\n' + deployment(),
  'services:\n  m:\n    image: app:latest\n    deploy: {resources: {reservations: {devices: [{driver: nvidia, count: all, capabilities: [gpu]}]}}}\n  gpu:\n    image: nvidia/cuda:12.1.0-base-ubuntu22.04\n',
  'a: &a [1, 2]\nb: *a\nc:\n  <<: {x: 1}\n  y: "2"\n',
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: t\n      image: pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime\n      command: [torchrun, train.py]\n      resources:\n        requests: {nvidia.com/gpu: 1}\n',
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: t\n      image: app:1\n      resources:\n        requests:\n          nvidia.com/gpu: 2\n          memory: 2Gi\n        limits:\n          memory: 1Gi\n',
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: t\n      image: app:1\n      resources:\n        requests:\n          nvidia.com/gpu: 1\n        limits:\n',
  'apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: m}\nspec:\n  predictor:\n    model:\n      modelFormat: {name: sklearn}\n      storageUri: gs://b/m\n      resources: {limits: {nvidia.com/gpu: 0.5}}\n',
  'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  serviceName: s\n  selector: {matchLabels: {app: s}}\n  template:\n    metadata: {labels: {app: t}}\n    spec:\n      containers: [{name: c, image: "c:1", ports: [{containerPort: 1}]}]\n',
  '" :\n0\n  p\n  q\n  r\nx: [\n',
];

/** Every starting point: hand-written cases, snippets, fixtures and the real-manifest corpus. */
export function baseDocuments(root = process.cwd()): string[] {
  const out = [...HAND];
  const snippets = JSON.parse(readFileSync(join(root, 'snippets/kubernetes.json'), 'utf8')) as Record<string, { body: string | string[] }>;
  for (const s of Object.values(snippets)) out.push(expandSnippet(s.body));
  const compose = JSON.parse(readFileSync(join(root, 'snippets/compose.json'), 'utf8')) as Record<string, { body: string | string[] }>;
  for (const s of Object.values(compose)) out.push(expandSnippet(s.body));
  for (const f of [...yamlFilesUnder(join(root, 'test/fixtures/lint')), ...yamlFilesUnder(join(root, 'test/corpus'))]) out.push(readFileSync(f, 'utf8'));
  return out;
}

const SCALARS = ['web', '"quoted"', "'it''s'", '3', '-1', '0.5', '1e3', '0x1F', 'true', 'null', '~', '', '500m', '2Gi', '"80"', 'app:latest', 'nvcr.io/nvidia/pytorch:24.01-py3', '.inf', '"a\\"b"', 'x #c', '[a, b]', '{a: 1, b: [2, 3]}', '[]', '{}', '&a x', '*a', '!!str 5', '|\n  block', '>-\n  folded', '@bad', '- x', '? x', '${VAR}', '5Gi ', '{volume-id}'];
const KEYS = ['name', 'image', 'replicas', 'contianers', 'app', 'nvidia.com/gpu', 'a:b', '1', 'true', 'null', '<<', 'dup', 'dup', '__proto__', '"q k"', 'memory', 'targetPort', 'labels', 'selector'];
const NOISE = ['\u0000', '\t', ':', '-', '---', '[', ']', '{', '}', '&a', '*a', '<<:', '!!str', '"', "'", '|', '>', '#', '\n', '  ', '\u{1F600}', '\uFEFF', '%YAML 1.2', '? ', '@', '`', '\r\n', '\u2028', '\\', ',', '" :'];
const KINDS = [
  ['v1', 'Pod'], ['apps/v1', 'Deployment'], ['apps/v1', 'StatefulSet'], ['apps/v1', 'DaemonSet'], ['batch/v1', 'Job'], ['batch/v1', 'CronJob'],
  ['v1', 'Service'], ['v1', 'ConfigMap'], ['v1', 'Secret'], ['networking.k8s.io/v1', 'Ingress'], ['autoscaling/v2', 'HorizontalPodAutoscaler'],
  ['serving.kserve.io/v1beta1', 'InferenceService'], ['apps/v1beta2', 'Deployment'], ['example.com/v1', 'Thing'], ['v1', 'Deployment'],
] as const;

/** A random manifest: a known kind whose body is random nodes of every YAML layout. */
export function generated(r: Rand): string {
  const lines: string[] = [];
  const [api, kind] = pick(r, KINDS);
  lines.push(`apiVersion: ${api}`, `kind: ${kind}`);
  const node = (indent: number, depth: number, head: string): void => {
    const pad = ' '.repeat(indent);
    if (depth > 5 || r() < 0.3) {
      lines.push(`${head} ${pick(r, SCALARS)}`);
      return;
    }
    const n = int(r, 1, 4);
    if (r() < 0.35) {
      lines.push(head);
      for (let i = 0; i < n; i++) {
        if (r() < 0.5) node(indent + 2, depth + 1, `${pad}- ${pick(r, KEYS)}:`);
        else lines.push(`${pad}- ${pick(r, SCALARS)}`);
      }
      return;
    }
    lines.push(head);
    for (let i = 0; i < n; i++) node(indent + 2, depth + 1, `${pad}${pick(r, KEYS)}:`);
  };
  node(2, 1, 'metadata:');
  node(2, 1, 'spec:');
  return `${lines.join('\n')}\n`;
}

function nestedFlowKey(n: number): string {
  return `${'[{'.repeat(n)}${'}]'.repeat(n)}: x`;
}

/** One mutation of `text`. */
export function mutate(r: Rand, text: string): string {
  const at = Math.floor(r() * (text.length + 1));
  const lines = (): string[] => text.split('\n');
  switch (Math.floor(r() * 20)) {
    case 0:
      return text.slice(0, at);
    case 1:
    case 2:
      return text.slice(0, at) + pick(r, NOISE) + text.slice(at);
    case 3: {
      let s = '';
      const n = int(r, 1, 32);
      for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(r() * 0x3000));
      return text.slice(0, at) + s + text.slice(at + int(r, 0, 8));
    }
    case 4: {
      const ls = lines();
      ls.splice(Math.floor(r() * ls.length), 0, ls[Math.floor(r() * ls.length)] ?? '');
      return ls.join('\n');
    }
    case 5: {
      const ls = lines();
      const i = Math.floor(r() * ls.length);
      ls[i] = (r() < 0.2 ? '\t' : ' '.repeat(int(r, 0, 7))) + (ls[i] ?? '').trimStart();
      return ls.join('\n');
    }
    case 6:
      return `${text}---\n${text.slice(at)}`;
    case 7:
      return text.replace(/: (\S+)/, (_m, v: string) => `: ${pick(r, ['~', 'null', '1e999', '-0', '"', '[]', '{}', `*${v}`, `&${v} x`, 'yes', '${X}', '5Gi ', '{a}'])}`);
    case 8:
      return text.slice(at) + text.slice(0, at);
    case 9: {
      // A nested flow collection used as a key (the `[{[{…` hang).
      const ls = lines();
      const i = Math.floor(r() * (ls.length + 1));
      const indent = /^ */.exec(ls[i] ?? '')![0];
      ls.splice(i, 0, indent + nestedFlowKey(int(r, 1, 350)));
      return ls.join('\n');
    }
    case 10: {
      // A long value: digits that almost form a quantity, or plain text.
      const n = int(r, 100, 40_000);
      const v = r() < 0.5 ? `"${'1'.repeat(n)}x"` : 'a'.repeat(n);
      return text.replace(/(memory|cpu|nvidia\.com\/gpu|image|name): [^\n]*/, (_m, k: string) => `${k}: ${v}`);
    }
    case 11: {
      // Many keys in one map, with an anchor and aliases (the duplicate-key check).
      const ls = lines();
      const i = Math.floor(r() * (ls.length + 1));
      const indent = /^ */.exec(ls[i] ?? '')![0];
      const n = int(r, 10, 1500);
      const extra = [`${indent}anch: &big v`];
      for (let k = 0; k < n; k++) extra.push(`${indent}k${k % (r() < 0.1 ? 7 : n)}: ${k % 50 === 0 ? '*big' : k}`);
      ls.splice(i, 0, ...extra);
      return ls.join('\n');
    }
    case 12:
      return text.replace(/\n/g, '\r\n');
    case 13: {
      const ls = lines();
      ls.splice(Math.floor(r() * (ls.length + 1)), 0, '---');
      return ls.join('\n');
    }
    case 14: {
      // Deep nesting, block or flow.
      const n = int(r, 10, 600);
      if (r() < 0.5) {
        let s = '';
        for (let i = 0; i < n; i++) s += `${' '.repeat(i)}k${i}:\n`;
        return text + s;
      }
      return `${text}\ndeep: ${'['.repeat(n * 4)}${']'.repeat(r() < 0.8 ? n * 4 : n)}\n`;
    }
    case 15: {
      // Anchors, aliases and merges in a new top-level key.
      const k = int(r, 1, 6);
      const out = ['base: &b {a: 1, b: [x, y]}'];
      for (let i = 0; i < k; i++) out.push(`m${i}: &m${i}\n  <<: ${i ? `[*m${i - 1}, *b]` : '*b'}\n  own${i}: ${i}`);
      out.push(`use: *m${k - 1}`);
      return `${text.replace(/\n?$/, '\n')}${out.join('\n')}\n`;
    }
    case 16: {
      const [api, kind] = pick(r, KINDS);
      return text.replace(/^apiVersion: .*$/m, `apiVersion: ${api}`).replace(/^kind: .*$/m, `kind: ${kind}`);
    }
    case 17: {
      // A random node spliced in at some line, at that line's indentation.
      const ls = lines();
      const i = Math.floor(r() * ls.length);
      const indent = /^ */.exec(ls[i] ?? '')![0];
      ls.splice(i, 0, `${indent}${pick(r, KEYS)}: ${pick(r, SCALARS)}`);
      return ls.join('\n');
    }
    case 18: {
      // Services and pods in bulk (the port check; the table has the 4,000 × 4,000 case).
      const n = int(r, 1, 40);
      const docs: string[] = [];
      for (let i = 0; i < n; i++) {
        const app = `a${i % int(r, 1, 20)}`;
        docs.push(`apiVersion: v1\nkind: Service\nmetadata: {name: s${i}}\nspec:\n  selector: {app: ${app}}\n  ports: [{port: 80, targetPort: ${pick(r, ['8080', 'http', '9', 'x'])}}]\n`);
        docs.push(`apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, labels: {app: ${app}}}\nspec:\n  containers: [{name: c, image: "a:1", ports: [{containerPort: ${int(r, 1, 9000)}, name: http}]}]\n`);
      }
      return `${text}\n---\n${docs.join('---\n')}`;
    }
    default:
      return text.slice(0, at) + pick(r, ['" :\n', '"\n', "'\n", '[\n', '{\n', ']: x\n', 'x: [\n', '? [a,\n  b]\n: c\n', '- - - x\n', '!!binary |\n  aGk=\n']) + text.slice(at);
  }
}

/** The table of the issue: inputs that froze the editor, at their reported sizes. */
export function tableInputs(): { name: string; file: string; text: string; ceilingMs: number }[] {
  const flowKey = (bytes: number): string => {
    const n = Math.floor((bytes - 4) / 4);
    return `${nestedFlowKey(n)}\n`;
  };
  let keys = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  first: &a "1"\n';
  for (let i = 0; i < 40_000; i++) keys += `  k${i}: ${i % 1000 === 0 ? '*a' : `"${i}"`}\n`;
  const svcPods: string[] = [];
  for (let i = 0; i < 4000; i++) {
    svcPods.push(`apiVersion: v1\nkind: Service\nmetadata: {name: s${i}}\nspec:\n  selector: {app: a${i}}\n  ports: [{port: 80, targetPort: 8080}]\n`);
    svcPods.push(`apiVersion: v1\nkind: Pod\nmetadata: {name: p${i}, labels: {app: a${i}}}\nspec:\n  containers: [{name: c, image: "a:1", ports: [{containerPort: 8080}]}]\n`);
  }
  const quantity = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: a:1\n    resources:\n      requests: {memory: "${'1'.repeat(40_000)}x"}\n      limits: {memory: 1Gi}\n`;
  return [
    { name: 'nested flow collections as a key, 876 B', file: 'flow-876.yaml', text: flowKey(876), ceilingMs: 1000 },
    { name: 'nested flow collections as a key, 1.1 KB', file: 'flow-1100.yaml', text: flowKey(1100), ceilingMs: 1000 },
    { name: 'nested flow collections as a key, 1.3 KB', file: 'flow-1300.yaml', text: flowKey(1300), ceilingMs: 1000 },
    { name: 'memory quantity string, 40 KB', file: 'quantity.yaml', text: quantity, ceilingMs: 1000 },
    { name: 'one map of 40,000 keys with an anchor', file: 'keys-40k.yaml', text: keys, ceilingMs: 3000 },
    { name: '4,000 Services × 4,000 Pods', file: 'services-pods.yaml', text: svcPods.join('---\n'), ceilingMs: 3000 },
  ];
}
