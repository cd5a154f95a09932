// YAML templates stay overridable data files, but no value can change their structure: the
// logic-less renderer lays out sections and lists with every {{value}} replaced by a
// placeholder, the result is parsed by the YAML library, and each placeholder is then replaced
// inside the parsed nodes (a scalar gets the value as a scalar: the library quotes it as needed;
// a comment gets it as one printable line). A value can never create a key, an item or a
// document, whatever characters it holds.
import { isDocument, isNode, parseAllDocuments, visit, type Document } from 'yaml';
import { printable } from '../safePath';
import { render, TemplateError, type PartialLoader, type TemplateContext } from './render';

type Value = string | number | boolean;

// Reserved text: a template that contains it is refused rather than guessed at.
const MARK = '__modeldock_value_';
const TOKEN = /__modeldock_value_(\d+)__/g;

/** How the library writes the documents back: no folding of long lines, `["ALL"]` flow style. */
const TO_STRING = { lineWidth: 0, minContentWidth: 0, flowCollectionPadding: false } as const;

function substitute(text: string, values: Value[], oneLine: boolean): string {
  return text.replace(TOKEN, (_, i: string) => {
    const v = String(values[Number(i)]);
    return oneLine ? printable(v, Number.POSITIVE_INFINITY) : v;
  });
}

interface Commented {
  commentBefore?: string | null;
  comment?: string | null;
}

function fixComments(node: Commented, values: Value[]): void {
  if (typeof node.commentBefore === 'string' && node.commentBefore.includes(MARK)) node.commentBefore = substitute(node.commentBefore, values, true);
  if (typeof node.comment === 'string' && node.comment.includes(MARK)) node.comment = substitute(node.comment, values, true);
}

function fill(doc: Document.Parsed, values: Value[], template: string): void {
  fixComments(doc, values);
  visit(doc, (_key, node) => {
    if (!isNode(node)) return;
    fixComments(node, values);
    if (node.anchor?.includes(MARK) || node.tag?.includes(MARK)) throw new TemplateError(`${template}: a value is used as a YAML anchor or tag`);
    if (!('value' in node) || typeof node.value !== 'string' || !node.value.includes(MARK)) return;
    const whole = /^__modeldock_value_(\d+)__$/.exec(node.value);
    // A placeholder that is the whole scalar takes the value with its type (8080 stays a number);
    // one inside a longer scalar ("8080:8080") becomes part of that string.
    node.value = whole ? values[Number(whole[1])] : substitute(node.value, values, false);
  });
}

/**
 * Renders a YAML template. Throws TemplateError when the template (not a value) is broken:
 * invalid YAML, or a value placed where it is neither a scalar nor a comment.
 */
export function renderYaml(source: string, context: TemplateContext, name: string, partials?: PartialLoader): string {
  const values: Value[] = [];
  const checked = (src: string, from: string): string => {
    if (src.includes(MARK)) throw new TemplateError(`${from}: contains the reserved text ${MARK}`);
    return src;
  };
  const text = render(checked(source, name), context, name, partials && ((p) => checked(partials(p), p)), {
    value: (v) => {
      values.push(v);
      return `${MARK}${values.length - 1}__`;
    },
  });
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return text;
  const out: string[] = [];
  for (const doc of docs) {
    if (!isDocument(doc)) continue;
    if (doc.errors.length) throw new TemplateError(`${name}: not valid YAML after rendering: ${doc.errors[0]?.message ?? ''}`);
    fill(doc, values, name);
    out.push(doc.toString(TO_STRING));
  }
  const result = out.join('');
  if (result.includes(MARK)) throw new TemplateError(`${name}: a value is used outside a scalar or a comment`);
  return result;
}
