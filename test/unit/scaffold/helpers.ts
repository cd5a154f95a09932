// Structural checks shared by the scaffold tests.
import assert from 'node:assert/strict';
import { DockerfileParser } from 'dockerfile-ast';
import { parseAllDocuments } from 'yaml';
import { cudaOfImage } from '../../../src/core/cuda/index';
import type { ScaffoldPlan } from '../../../src/core/scaffold/index';

const KEYWORDS = new Set(['FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL']);

export function file(plan: ScaffoldPlan, path: string): string {
  const f = plan.files.find((x) => x.path === path);
  assert.ok(f, `${path} not planned (have ${plan.files.map((x) => x.path).join(', ')})`);
  return f.content;
}

/** Parses with dockerfile-ast and checks what the classic builder would reject or we never emit. */
export function checkDockerfile(content: string): { keywords: string[]; froms: string[] } {
  const df = DockerfileParser.parse(content);
  const instructions = df.getInstructions();
  assert.ok(instructions.length > 0);
  assert.equal(instructions[0]?.getKeyword(), 'FROM', 'first instruction is FROM');
  const keywords = instructions.map((i) => i.getKeyword());
  for (const k of keywords) assert.ok(KEYWORDS.has(k), `unknown instruction ${k}`);
  for (const i of instructions) {
    const args = i.getArgumentsContent();
    assert.ok(args && args.trim().length > 0, `${i.getKeyword()} without arguments`);
    if (i.getKeyword() === 'CMD' || i.getKeyword() === 'ENTRYPOINT') assert.ok(Array.isArray(JSON.parse(args)), 'exec form');
    if (i.getKeyword() === 'HEALTHCHECK') {
      const m = /CMD\s+(\[.*\])\s*$/s.exec(args.replace(/\\\n/g, ' '));
      assert.ok(m && Array.isArray(JSON.parse(m[1]!)), `HEALTHCHECK exec form: ${args}`);
    }
    if (i.getKeyword() === 'RUN') assert.ok(!/--mount/.test(args), 'no BuildKit-only RUN --mount');
  }
  assert.ok(!/<<[A-Z-]/.test(content), 'no heredocs');
  assert.ok(!/^# ?syntax=/m.test(content), 'no BuildKit syntax directive');
  const froms = df.getFROMs().map((f) => {
    const image = f.getImage();
    const tag = f.getImageTag();
    assert.ok(image, 'FROM image');
    assert.ok(tag, `FROM ${image} has a pinned tag`);
    assert.notEqual(tag, 'latest');
    return image;
  });
  return { keywords, froms };
}

export function checkYaml(content: string, k8s: boolean): Record<string, unknown>[] {
  const docs = parseAllDocuments(content);
  const out: Record<string, unknown>[] = [];
  for (const d of docs) {
    assert.deepEqual(d.errors, [], `YAML errors in:\n${content}`);
    const v = d.toJS() as Record<string, unknown> | null;
    assert.ok(v && typeof v === 'object');
    if (k8s) {
      assert.equal(typeof v.apiVersion, 'string');
      assert.equal(typeof v.kind, 'string');
    }
    out.push(v);
  }
  return out;
}

/** Every generated file parses; image refs are pinned; GPU/CPU consistency across outputs. */
export function checkPlan(plan: ScaffoldPlan): void {
  for (const f of plan.files) {
    if (f.path === 'Dockerfile') {
      const { froms } = checkDockerfile(f.content);
      const last = froms[froms.length - 1];
      if (plan.baseImage) assert.equal(last, plan.baseImage);
      if (plan.target === 'cpu' && plan.runtime === 'python') assert.equal(cudaOfImage(last ?? ''), null, 'CPU never uses a CUDA image');
      if (plan.target === 'cpu') assert.ok(!/nvidia\/cuda|-gpu\b|-cuda\d/.test(f.content), 'CPU Dockerfile mentions no CUDA image');
    } else if (f.path.endsWith('.yaml')) {
      const docs = checkYaml(f.content, f.path.startsWith('k8s/'));
      for (const d of docs) {
        const text = JSON.stringify(d);
        assert.ok(!/:latest"/.test(text), 'no :latest');
        if (f.path === 'compose.yaml') {
          assert.equal(text.includes('"driver":"nvidia"'), plan.target === 'gpu', 'compose GPU reservation follows the target');
        } else if (['Deployment', 'Job', 'InferenceService'].includes(String(d.kind))) {
          assert.equal(text.includes('nvidia.com/gpu'), plan.target === 'gpu', `${f.path} GPU resources follow the target`);
        }
      }
    }
  }
}
