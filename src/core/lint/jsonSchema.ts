// The bundled schemas as standalone JSON Schemas (draft-07), for the tools ModelDock is compared
// with: yaml-language-server in the lint benchmark, and kubeconform as the corpus test's
// independent check. Same OpenAPI, same strictness (unknown fields rejected unless the schema
// preserves them); ModelDock's own formats (DNS names, quantities, ports) are left out, since
// the other tools do not know them.
import { CRD_INDEX } from './generated/crd-schemas';
import { DEFAULT_KUBERNETES_VERSION, SchemaLibrary, resolveKind } from './k8s';
import type { Defs } from './validate';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const pointer = (name: string): string => `#/definitions/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
const COPY = ['enum', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'multipleOf', 'uniqueItems', 'required'];

/** `root` (a schema of validate.ts) and every definition it reaches, as one JSON Schema document. */
export function toJsonSchema(root: unknown, defs: Defs): Json {
  const definitions: Json = {};
  const pending: string[] = [];
  const convert = (s: unknown): unknown => {
    if (s === true || s === false) return s;
    if (!isObject(s)) return {};
    if (typeof s.$ref === 'string') {
      if (!(s.$ref in definitions)) {
        definitions[s.$ref] = {};
        pending.push(s.$ref);
      }
      return { $ref: pointer(s.$ref) };
    }
    const out: Json = {};
    let type = s['x-kubernetes-int-or-string'] === true ? ['integer', 'string'] : s.type;
    if (s.nullable === true && type !== undefined) type = [...(Array.isArray(type) ? type : [type]), 'null'];
    if (type !== undefined) out.type = type;
    for (const k of COPY) if (s[k] !== undefined) out[k] = s[k];
    // The quantity pattern is a format of ours; as a regular expression it stays.
    if (s.format === 'quantity') out.pattern = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';
    const preserve = s.preserve === true || s['x-kubernetes-preserve-unknown-fields'] === true;
    if (isObject(s.properties)) {
      const props: Json = {};
      for (const [k, v] of Object.entries(s.properties)) props[k] = convert(v);
      out.properties = props;
      if (s.additionalProperties === undefined && !preserve) out.additionalProperties = false;
    }
    if (s.additionalProperties !== undefined) out.additionalProperties = convert(s.additionalProperties);
    if (isObject(s.items)) out.items = convert(s.items);
    for (const k of ['allOf', 'anyOf', 'oneOf']) {
      if (Array.isArray(s[k]) && !(k === 'anyOf' && s['x-kubernetes-int-or-string'] === true)) out[k] = (s[k] as unknown[]).map(convert);
    }
    if (isObject(s.not)) out.not = convert(s.not);
    return out;
  };
  const top = convert(root) as Json;
  while (pending.length) {
    const name = pending.pop()!;
    definitions[name] = convert(defs[name]);
  }
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...top, definitions };
}

/**
 * One standalone schema per built-in kind (and bundled CRD kind) of a Kubernetes version, at the
 * path kubeconform finds with `-schema-location DIR/{{ .Group }}/{{ .ResourceAPIVersion }}/{{ .ResourceKind }}.json`.
 * Only apiVersions the version serves are there: kubeconform reports the others as missing.
 */
export function kubeconformSchemas(minor = DEFAULT_KUBERNETES_VERSION): Map<string, string> {
  const library = new SchemaLibrary();
  const out = new Map<string, string>();
  const bundle = library.k8s(minor);
  const ids = [...Object.keys(bundle.kinds)];
  for (const [gk, entry] of Object.entries(CRD_INDEX)) {
    const slash = gk.lastIndexOf('/');
    for (const v of entry.versions) ids.push(`${gk.slice(0, slash)}/${v.name}/${gk.slice(slash + 1)}`);
  }
  for (const id of ids) {
    const kindAt = id.lastIndexOf('/');
    const apiVersion = id.slice(0, kindAt);
    const kind = id.slice(kindAt + 1);
    const res = resolveKind(library, minor, apiVersion, kind, new Map(), () => undefined);
    if (res.type !== 'schema') continue;
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? apiVersion : apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    out.set(`${group}/${version}/${kind.toLowerCase()}.json`, JSON.stringify(toJsonSchema(res.schema, res.defs)));
  }
  return out;
}
