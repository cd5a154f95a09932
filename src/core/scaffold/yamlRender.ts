// YAML templates stay overridable data files, but no value can change their structure: the
// logic-less renderer lays out sections and lists with every {{value}} replaced by a
// placeholder, the result is parsed by the YAML library, and each placeholder is then replaced
// inside the parsed nodes (a scalar gets the value as a scalar: the library quotes it as needed;
// a comment gets it as one printable line). A value can never create a key, an item or a
// document, whatever characters it holds.
import { isDocument, isNode, isScalar, parseAllDocuments, Scalar, visit, type Document } from 'yaml';
import { printable } from '../safePath';
import { render, TemplateError, type PartialLoader, type TemplateContext } from './render';

type Value = string | number | boolean;

// Reserved text: a template that contains it is refused rather than guessed at.
const MARK = '__modeldock_value_';
const TOKEN = /__modeldock_value_(\d+)__/g;

// A string stays a plain scalar only when it is plainly harmless; anything else is written
// double-quoted, where every character is escaped as needed (the library's own plain-scalar
// choice is not trusted with hostile text). Plain also means "a string" to YAML 1.1 readers
// (Kubernetes' and compose's Go parsers): yes/no/on/off, `~` and number-like text such as the
// base-60 `1:20` are quoted too.
const PLAIN_SAFE = /^(?:[A-Za-z0-9_./+=]|-(?=\S))[A-Za-z0-9_./@%+=:-]*(?<!:)$/;
const YAML11_SPECIAL = /^(?:y|n|yes|no|on|off|true|false|null|~|=|<<|[-+]?\.?[0-9][0-9_:.eE+-]*|[-+]?\.(?:inf|nan))$/i;

function plainSafe(s: string): boolean {
  return PLAIN_SAFE.test(s) && !YAML11_SPECIAL.test(s);
}

/** How the library writes the documents back: no folding of long lines, `["ALL"]` flow style. */
const TO_STRING = { lineWidth: 0, minContentWidth: 0, flowCollectionPadding: false } as const;

interface Fill {
  values: Value[];
  /** Placeholders replaced so far: each must be found once in a scalar or a comment. */
  used: number;
}

function substitute(text: string, f: Fill, oneLine: boolean): string {
  return text.replace(TOKEN, (_, i: string) => {
    f.used++;
    const v = String(f.values[Number(i)]);
    return oneLine ? printable(v, Number.POSITIVE_INFINITY) : v;
  });
}

interface Commented {
  commentBefore?: string | null;
  comment?: string | null;
}

function fixComments(node: Commented, f: Fill): void {
  if (typeof node.commentBefore === 'string' && node.commentBefore.includes(MARK)) node.commentBefore = substitute(node.commentBefore, f, true);
  if (typeof node.comment === 'string' && node.comment.includes(MARK)) node.comment = substitute(node.comment, f, true);
}

function fill(doc: Document.Parsed, f: Fill, template: string): void {
  fixComments(doc, f);
  visit(doc, (_key, node) => {
    if (!isNode(node)) return;
    fixComments(node, f);
    if (node.anchor?.includes(MARK) || node.tag?.includes(MARK)) throw new TemplateError(`${template}: a value is used as a YAML anchor or tag`);
    if (!('value' in node) || typeof node.value !== 'string' || !node.value.includes(MARK)) return;
    const whole = /^__modeldock_value_(\d+)__$/.exec(node.value);
    // A placeholder that is the whole scalar takes the value with its type (8080 stays a number);
    // one inside a longer scalar ("8080:8080") becomes part of that string.
    if (whole) f.used++;
    const value = whole ? f.values[Number(whole[1])]! : substitute(node.value, f, false);
    node.value = value;
    if (isScalar(node) && typeof value === 'string' && (node.type === Scalar.PLAIN || node.type === undefined) && !plainSafe(value)) {
      node.type = Scalar.QUOTE_DOUBLE;
    }
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
  const f: Fill = { values, used: 0 };
  // Only comments (no document): every placeholder is in one.
  if (docs.length === 0) return substitute(text, f, true);
  const out: string[] = [];
  for (const doc of docs) {
    if (!isDocument(doc)) continue;
    if (doc.errors.length) throw new TemplateError(`${name}: not valid YAML after rendering: ${doc.errors[0]?.message ?? ''}`);
    fill(doc, f, name);
    out.push(doc.toString(TO_STRING));
  }
  // A placeholder that was not in a scalar or a comment (an anchor, a tag, a directive) would
  // have been written as is: refuse the template instead.
  if (f.used !== values.length) throw new TemplateError(`${name}: a value is used outside a scalar or a comment`);
  return out.join('');
}
