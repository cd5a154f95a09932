// A tiny logic-less template renderer (a Mustache subset) so templates stay data files:
//   {{name}} {{a.b}} {{.}}            value, passed through the caller's value hook (escaping is per
//                                     output format: see yamlRender.ts and escape.ts)
//   {{#name}}…{{/name}}               section: false/null/''/[] skip; array repeats per item; object pushes context
//   {{^name}}…{{/name}}               inverted section
//   {{! comment }}                    dropped
//   {{> family/name.tmpl}}            partial, rendered with the current context
// A tag alone on its line (sections, comments) removes that whole line, so templates can be
// indented readably without leaving blank lines behind. Unknown names throw: a typo in a
// template must fail the tests, not produce a silently broken Dockerfile.

export type TemplateValue = string | number | boolean | null | undefined | TemplateContext | TemplateValue[];
export interface TemplateContext {
  [key: string]: TemplateValue;
}

export class TemplateError extends Error {}

type Node =
  | { type: 'text'; text: string }
  | { type: 'var'; name: string }
  | { type: 'partial'; name: string }
  | { type: 'section'; name: string; inverted: boolean; children: Node[] };

/**
 * The `{{...}}` tags of a template, in order. A scanner rather than a regular expression:
 * templates may come from a workspace (`.modeldock/templates/`), and a lazy pattern over them
 * could backtrack. A `{{` whose tag holds a `}` before its `}}` is plain text.
 */
function* tags(src: string): Generator<{ index: number; length: number; sigil: string; name: string }> {
  let from = 0;
  for (;;) {
    const open = src.indexOf('{{', from);
    if (open < 0) return;
    const close = src.indexOf('}}', open + 2);
    if (close < 0) return;
    const inner = src.slice(open + 2, close);
    if (inner.includes('}')) {
      from = open + 2;
      continue;
    }
    const body = inner.trim();
    const sigil = '#^/!>'.includes(body[0] ?? 'x') ? body[0]! : '';
    yield { index: open, length: close + 2 - open, sigil, name: body.slice(sigil.length).trim() };
    from = close + 2;
  }
}

function stripStandalone(src: string): string {
  // Lines holding only a section/comment tag (plus whitespace) lose the whole line.
  return src.replace(/^[ \t]*(\{\{\s*[#^/!>][^}]*\}\})[ \t]*(\r?\n|$)/gm, '$1');
}

export function parseTemplate(source: string, name = 'template'): Node[] {
  const src = stripStandalone(source);
  const root: Node[] = [];
  const stack: { name: string; children: Node[] }[] = [{ name: '', children: root }];
  let last = 0;
  for (const m of tags(src)) {
    const top = stack[stack.length - 1]!;
    if (m.index > last) top.children.push({ type: 'text', text: src.slice(last, m.index) });
    last = m.index + m.length;
    const sigil = m.sigil;
    const tagName = m.name;
    if (sigil === '!') continue;
    if (sigil === '>') {
      top.children.push({ type: 'partial', name: tagName });
      continue;
    }
    if (sigil === '#' || sigil === '^') {
      const node: Node = { type: 'section', name: tagName, inverted: sigil === '^', children: [] };
      top.children.push(node);
      stack.push({ name: tagName, children: node.children });
    } else if (sigil === '/') {
      if (stack.length < 2 || top.name !== tagName) throw new TemplateError(`${name}: unexpected {{/${tagName}}}`);
      stack.pop();
    } else {
      if (!tagName) throw new TemplateError(`${name}: empty tag`);
      top.children.push({ type: 'var', name: tagName });
    }
  }
  if (stack.length > 1) throw new TemplateError(`${name}: unclosed {{#${stack[stack.length - 1]!.name}}}`);
  if (last < src.length) root.push({ type: 'text', text: src.slice(last) });
  return root;
}

function lookup(stack: TemplateValue[], name: string, template: string): TemplateValue {
  if (name === '.') return stack[stack.length - 1];
  const [head, ...rest] = name.split('.');
  for (let i = stack.length - 1; i >= 0; i--) {
    const ctx = stack[i];
    if (ctx && typeof ctx === 'object' && !Array.isArray(ctx) && head !== undefined && Object.hasOwn(ctx, head)) {
      let v: TemplateValue = ctx[head];
      for (const part of rest) {
        if (!v || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, part)) {
          throw new TemplateError(`${template}: unknown name '${name}'`);
        }
        v = v[part];
      }
      return v;
    }
  }
  throw new TemplateError(`${template}: unknown name '${name}'`);
}

function truthy(v: TemplateValue): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return v !== false && v !== null && v !== undefined && v !== '' && v !== 0;
}

/** Resolves `{{> name}}`; absent = partials are an error. */
export type PartialLoader = (name: string) => string;

/**
 * Turns a value into the text the template receives. The Dockerfile renderer refuses values that
 * would not stay on one line; the YAML renderer substitutes placeholders (see yamlRender.ts).
 */
export type ValueHook = (value: string | number | boolean, name: string, template: string) => string;

export interface RenderOptions {
  value?: ValueHook;
}

interface RenderEnv {
  template: string;
  partials: PartialLoader | undefined;
  depth: number;
  value: ValueHook | undefined;
}

function renderNodes(nodes: Node[], stack: TemplateValue[], env: RenderEnv, out: string[]): void {
  const template = env.template;
  for (const n of nodes) {
    if (n.type === 'text') {
      out.push(n.text);
    } else if (n.type === 'partial') {
      if (!env.partials) throw new TemplateError(`${template}: partial '${n.name}' but no partial loader`);
      if (env.depth > 8) throw new TemplateError(`${template}: partials nested too deep at '${n.name}'`);
      const src = env.partials(n.name);
      renderNodes(parseTemplate(src, n.name), stack, { ...env, template: n.name, depth: env.depth + 1 }, out);
    } else if (n.type === 'var') {
      const v = lookup(stack, n.name, template);
      if (v !== null && v !== undefined && v !== false) {
        if (typeof v === 'object') throw new TemplateError(`${template}: '${n.name}' is not a scalar`);
        out.push(env.value ? env.value(v, n.name, template) : String(v));
      }
    } else {
      const v = lookup(stack, n.name, template);
      if (n.inverted) {
        if (!truthy(v)) renderNodes(n.children, stack, env, out);
      } else if (Array.isArray(v)) {
        for (const item of v) renderNodes(n.children, [...stack, item], env, out);
      } else if (truthy(v)) {
        renderNodes(n.children, typeof v === 'object' ? [...stack, v] : stack, env, out);
      }
    }
  }
}

export function render(source: string, context: TemplateContext, name = 'template', partials?: PartialLoader, options: RenderOptions = {}): string {
  const out: string[] = [];
  renderNodes(parseTemplate(source, name), [context], { template: name, partials, depth: 0, value: options.value }, out);
  return out.join('');
}
