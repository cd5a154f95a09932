// String formats the API server enforces but OpenAPI does not describe (DNS names, label syntax,
// ports, base64, quantities), as hand-written scanners: one pass, no regular expressions on user
// text. Each check returns undefined when the value is fine, else what is wrong with it.
import { scanQuantity } from './quantity';

const isLowerAlnum = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
const isAlnum = (c: number): boolean => isLowerAlnum(c) || (c >= 65 && c <= 90);
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** RFC 1123 label: lower-case alphanumerics and '-', alphanumeric at both ends, at most 63. */
export function dnsLabel(s: string): boolean {
  if (!s.length || s.length > 63) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isLowerAlnum(c)) continue;
    if (c === 45 && i > 0 && i < s.length - 1) continue;
    return false;
  }
  return true;
}

/** RFC 1035 label (Service names): an RFC 1123 label that starts with a letter. */
export function rfc1035Label(s: string): boolean {
  return dnsLabel(s) && isLower(s.charCodeAt(0));
}

/** RFC 1123 subdomain: dot-separated labels, at most 253 characters. */
export function dnsSubdomain(s: string): boolean {
  if (!s.length || s.length > 253) return false;
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i === s.length || s.charCodeAt(i) === 46) {
      if (i === start) return false;
      // Each part: alphanumeric at both ends, '-' inside (its own length is bounded by the whole).
      for (let j = start; j < i; j++) {
        const c = s.charCodeAt(j);
        if (isLowerAlnum(c) || (c === 45 && j > start && j < i - 1)) continue;
        return false;
      }
      start = i + 1;
    }
  }
  return true;
}

/** A label value or the name part of a qualified name: alphanumerics with '-', '_', '.' inside, at most 63. */
function qualifiedPart(s: string, allowEmpty: boolean): boolean {
  if (!s.length) return allowEmpty;
  if (s.length > 63) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isAlnum(c)) continue;
    if ((c === 45 || c === 95 || c === 46) && i > 0 && i < s.length - 1) continue;
    return false;
  }
  return true;
}

/** Label and annotation keys: an optional DNS subdomain prefix and '/', then a name of at most 63. */
export function qualifiedName(s: string): boolean {
  const slash = s.indexOf('/');
  if (slash < 0) return qualifiedPart(s, false);
  if (s.indexOf('/', slash + 1) >= 0) return false;
  return dnsSubdomain(s.slice(0, slash)) && qualifiedPart(s.slice(slash + 1), false);
}

export const labelValue = (s: string): boolean => qualifiedPart(s, true);

/** ConfigMap and Secret keys: alphanumerics, '-', '_', '.', at most 253, not '.' or '..'. */
export function configKey(s: string): boolean {
  if (!s.length || s.length > 253 || s === '.' || s === '..') return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(isAlnum(c) || c === 45 || c === 95 || c === 46)) return false;
  }
  return true;
}

/** IANA service name (named ports): 1–15 lower-case alphanumerics and '-', a letter somewhere, no '--', no '-' at the ends. */
export function ianaSvcName(s: string): boolean {
  if (!s.length || s.length > 15) return false;
  let letter = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isLower(c)) letter = true;
    else if (isDigit(c)) continue;
    else if (c === 45) {
      if (i === 0 || i === s.length - 1 || s.charCodeAt(i - 1) === 45) return false;
    } else return false;
  }
  return letter;
}

/** Standard base64 with padding, as Go's encoding/json decodes []byte (CR and LF are skipped). */
export function base64(s: string): boolean {
  let n = 0;
  let pad = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13) continue;
    if (c === 61) {
      pad++;
      n++;
      continue;
    }
    if (pad) return false; // data after padding
    if (!(isAlnum(c) || c === 43 || c === 47)) return false;
    n++;
  }
  return n % 4 === 0 && pad <= 2;
}

export type FormatName =
  | 'byte'
  | 'int32'
  | 'int64'
  | 'quantity'
  | 'int-or-string'
  | 'dns-label'
  | 'dns-subdomain'
  | 'rfc1035-label'
  | 'qualified-name'
  | 'label-value'
  | 'config-key'
  | 'iana-svc-name'
  | 'port'
  | 'port-or-zero'
  | 'port-or-name';

const DNS_LABEL = 'an RFC 1123 label: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit';
const WHAT: Record<string, string> = {
  byte: 'base64 (standard alphabet with "=" padding): the API server decodes it to bytes',
  int32: 'a 32-bit integer',
  int64: 'a 64-bit integer',
  quantity: 'a quantity such as 500m, 2, 1.5, 512Mi or 2Gi (a number with an optional suffix: m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent)',
  'dns-label': DNS_LABEL,
  'dns-subdomain': 'an RFC 1123 subdomain: at most 253 lower-case letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit',
  'rfc1035-label': 'an RFC 1035 label: at most 63 lower-case letters, digits and "-", starting with a letter and ending with a letter or digit',
  'qualified-name': 'a qualified name: an optional DNS subdomain prefix and "/", then at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
  'label-value': 'a label value: empty, or at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
  'config-key': 'a key of letters, digits, "-", "_" and "." (at most 253)',
  'iana-svc-name': 'a port name: at most 15 lower-case letters, digits and "-", with at least one letter, no "--" and no "-" at either end',
  port: 'a port number from 1 to 65535',
  'port-or-zero': 'a port number from 0 to 65535',
  'port-or-name': 'a port number from 1 to 65535 or a port name (at most 15 lower-case letters, digits and "-")',
};

export function formatWords(format: string): string {
  return WHAT[format] ?? format;
}

const inPort = (v: number, min: number): boolean => Number.isInteger(v) && v >= min && v <= 65535;

/** True when `value` satisfies `format` (values of another type are the type check's business). */
export function checkFormat(format: string, value: unknown): boolean {
  switch (format) {
    case 'int32':
      return typeof value !== 'number' || (value >= -2147483648 && value <= 2147483647);
    case 'int64':
      return typeof value !== 'number' || Math.abs(value) <= 9.3e18;
    case 'quantity':
      return typeof value === 'number' ? Number.isFinite(value) : typeof value !== 'string' || scanQuantity(value) !== undefined;
    case 'port':
      return typeof value !== 'number' || inPort(value, 1);
    case 'port-or-zero':
      return typeof value !== 'number' || inPort(value, 0);
    case 'port-or-name':
      // A string is a port name, even when it is digits: the API server rejects "8080" in quotes.
      return typeof value === 'number' ? inPort(value, 1) : typeof value !== 'string' || ianaSvcName(value);
    default:
      break;
  }
  if (typeof value !== 'string') return true;
  switch (format) {
    case 'byte':
      return base64(value);
    case 'dns-label':
      return dnsLabel(value);
    case 'dns-subdomain':
      return dnsSubdomain(value);
    case 'rfc1035-label':
      return rfc1035Label(value);
    case 'qualified-name':
      return qualifiedName(value);
    case 'label-value':
      return labelValue(value);
    case 'config-key':
      return configKey(value);
    case 'iana-svc-name':
      return ianaSvcName(value);
    default:
      return true;
  }
}
