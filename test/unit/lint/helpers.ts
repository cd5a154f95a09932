// Shared test helpers: a literal CUDA table, snippet expansion, and finding filters.
import type { CudaCompat, Finding } from '../../../src/core/lint';
import { createLinter } from '../../../src/core/lint';

/** One linter for the whole test process: compiled schemas are reused, as in the extension. */
export const linter = createLinter();

export function lint(text: string, file = 'manifest.yaml'): Finding[] {
  return linter.lintYaml(text, file);
}

export function byRule(findings: Finding[], rule: string): Finding[] {
  return findings.filter((f) => f.rule === rule);
}

/** A compact literal stand-in for core/cuda's table. */
const TORCH: Record<string, string[]> = { '2.1.2': ['11.8', '12.1'], '2.3.1': ['11.8', '12.1'], '2.5.1': ['11.8', '12.1', '12.4'], '1.13.1': ['11.6', '11.7'] };
const TF: Record<string, string[]> = { '2.15.0': ['12.2'], '2.13.0': ['11.8'] };
export const literalCuda: CudaCompat = {
  cudaOfImage(image) {
    const m = /cuda[-:]?(\d+\.\d+)/i.exec(image) ?? /^nvidia\/cuda:(\d+\.\d+)/.exec(image);
    return m ? m[1]! : null;
  },
  cudaVersionsFor(framework, version) {
    return (framework === 'pytorch' ? TORCH : TF)[version] ?? null;
  },
};

/**
 * Expands a VS Code snippet body with its defaults: ${1:default} → default, ${1|a,b|} → a,
 * $1 / ${1} → whatever placeholder 1 defaulted to (mirrors), $0 → empty, \$ → $.
 */
export function expandSnippet(body: string | string[]): string {
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

/** A Deployment with the usual good practice, to mutate in tests. */
export function goodDeployment(overrides: { image?: string; gpu?: string; extraContainer?: string } = {}): string {
  const gpu = overrides.gpu ?? '';
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: server
          image: ${overrides.image ?? 'registry.example.com/web:1.2.3'}
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
              memory: 1Gi${gpu ? `\n              nvidia.com/gpu: ${gpu}` : ''}
            limits:
              memory: 1Gi${gpu ? `\n              nvidia.com/gpu: ${gpu}` : ''}
`;
}
