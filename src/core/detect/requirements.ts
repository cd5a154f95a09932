// pip requirements files. Includes (-r/-c) are only listed here; following them (cycle-safe)
// is the aggregator's job, so each file stays one cacheable unit.
import { printable } from '../safePath';
import { dirOf, emptyFacts, joinRel, loc, shorten, type FileFacts, type PackageFact } from './facts';
import { parseRequirement, parseWheelName, type Requirement } from './pep508';

const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git\+|hg\+|svn\+|bzr\+|file:)/i;
const PATH_LIKE = /^(?:\.{1,2}[\\/]|\/|~|[A-Za-z]:[\\/])|\.(?:whl|tar\.gz|zip|tar\.bz2)$/i;
const ABSOLUTE = /^(?:\/|~|[A-Za-z]:[\\/]|\\\\)/;

export function requirementFact(req: Requirement, written: string, line: number | undefined): PackageFact {
  const p: PackageFact = {
    name: req.name,
    version: req.version,
    spec: written,
    extras: req.extras,
    linux: req.linux,
    origin: 'declared',
    reason: shorten(written),
  };
  if (req.local) p.local = req.local;
  if (req.marker) p.marker = req.marker;
  if (line !== undefined) p.line = line;
  return p;
}

const OPTION_WITH_VALUE = /^(-r|--requirement|-c|--constraint|-i|--index-url|--extra-index-url|-e|--editable|-f|--find-links)(?:=|\s+|(?<=^-[rcief]))(.*)$/;

/**
 * A wheel named by URL or path (`https://…/torch-2.1.0+cu121-cp310-cp310-linux_x86_64.whl`,
 * `./wheels/x.whl`, or `name @ url`): its file name (PEP 427) says the distribution, the version
 * and, through the platform tag, whether it installs on Linux at all.
 */
function wheelRequirement(location: string, marker: string | undefined): Requirement | null {
  const w = parseWheelName(location);
  if (!w) return null;
  const req: Requirement = { name: w.name, extras: [], version: w.version, specifier: '', linux: w.linux, url: location };
  if (w.local) req.local = w.local;
  if (marker) {
    req.marker = marker;
    const viaMarker = parseRequirement(`x ; ${marker}`);
    if (viaMarker && !viaMarker.linux) req.linux = false;
  }
  return req;
}

/**
 * The requirement without per-requirement options (`--hash=sha256:…`, `--config-settings k=v`):
 * each option and, when it has no `=`, the word after it. Token by token: a regex over the
 * line would backtrack on long runs of blanks.
 */
function dropOptions(text: string): string {
  if (!/\s-/.test(text)) return text;
  const words = text.split(/\s+/);
  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (i > 0 && /^--?[a-z]/i.test(w)) {
      if (!w.includes('=') && i + 1 < words.length) i++;
      continue;
    }
    kept.push(w);
  }
  return kept.join(' ').trim();
}

/**
 * One logical line of a requirements file (continuations joined, comment stripped). Shared with
 * the `pip:` list of conda environment files, where each item is such a line. Warnings name the
 * line, never repeat it: a line may hold a token, or be a line of a file that is not one.
 */
export function applyRequirementLine(raw: string, line: number, facts: FileFacts): void {
  const text = raw.trim();
  if (!text) return;
  const where = loc(facts.file, line);
  if (text.startsWith('-')) {
    const m = OPTION_WITH_VALUE.exec(text);
    if (!m) return; // --pre, --no-binary, --prefer-binary...: nothing that detection needs.
    const opt = m[1]!;
    const value = m[2]!.trim().replace(/^["']|["']$/g, '');
    switch (opt) {
      case '-r':
      case '--requirement':
      case '-c':
      case '--constraint': {
        if (!value) return;
        const constraint = opt === '-c' || opt === '--constraint';
        if (URL_LIKE.test(value)) facts.includes.push({ path: '', constraint, line, url: true });
        else facts.includes.push({ path: ABSOLUTE.test(value) ? value.replace(/\\/g, '/') : joinRel(dirOf(facts.file), value), constraint, line });
        return;
      }
      case '-i':
      case '--index-url':
      case '--extra-index-url':
        if (value) facts.indexUrls.push({ url: value, line });
        return;
      case '-e':
      case '--editable':
        facts.warnings.push(
          URL_LIKE.test(value)
            ? `${where}: skipped an editable VCS/URL requirement (not resolved)`
            : `${where}: skipped editable requirement ${printable(value, 80)} (a local path; not resolved)`,
        );
        return;
      default:
        return;
    }
  }
  const first = text.split(/\s|;/)[0] ?? '';
  if (URL_LIKE.test(text) || PATH_LIKE.test(first)) {
    const semi = text.search(/\s;/);
    const wheel = /\.whl(?:[#?]|$)/i.test(first) ? wheelRequirement(first, semi >= 0 ? text.slice(semi + 2).trim() : undefined) : null;
    if (wheel) {
      facts.packages.push(requirementFact(wheel, first, line));
      return;
    }
    facts.warnings.push(`${where}: skipped a ${URL_LIKE.test(text) ? 'URL' : 'local path'} requirement (not resolved)`);
    return;
  }
  // pip-compile appends per-requirement options (`--hash=...`) after the requirement.
  const written = dropOptions(text);
  const req = parseRequirement(written);
  if (!req) {
    facts.warnings.push(`${where}: could not parse this requirement, skipped`);
    return;
  }
  if (req.url) {
    const wheel = /\.whl(?:[#?]|$)/i.test(req.url) ? wheelRequirement(req.url, req.marker) : null;
    if (wheel && wheel.name === req.name) {
      facts.packages.push(requirementFact({ ...wheel, extras: req.extras }, written, line));
      return;
    }
    facts.warnings.push(`${where}: '${req.name}' is a direct URL reference; its version is not resolved`);
  }
  facts.packages.push(requirementFact(req, written, line));
}

export function parseRequirements(text: string, file: string): FileFacts {
  const facts = emptyFacts(file, 'requirements');
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let buf = '';
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!buf) start = i + 1;
    // A comment ends the logical line even when it ends in a backslash.
    const stripped = l.replace(/(^|\s)#.*$/, '');
    if (stripped !== l) {
      buf += stripped;
      applyRequirementLine(buf, start, facts);
      buf = '';
      continue;
    }
    if (/\\\s*$/.test(l)) {
      buf += `${l.replace(/\\\s*$/, '')} `;
      continue;
    }
    buf += l;
    applyRequirementLine(buf, start, facts);
    buf = '';
  }
  if (buf) applyRequirementLine(buf, start, facts);
  return facts;
}
