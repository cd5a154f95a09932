// pip requirements files. Includes (-r/-c) are only listed here; following them (cycle-safe)
// is the aggregator's job, so each file stays one cacheable unit.
import { dirOf, emptyFacts, joinRel, shorten, type FileFacts, type PackageFact } from './facts';
import { parseRequirement, type Requirement } from './pep508';

const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git\+|hg\+|svn\+|bzr\+|file:)/i;
const PATH_LIKE = /^(?:\.{1,2}[\\/]|\/|~|[A-Za-z]:[\\/])|\.(?:whl|tar\.gz|zip|tar\.bz2)$/i;

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
 * One logical line of a requirements file (continuations joined, comment stripped). Shared with
 * the `pip:` list of conda environment files, where each item is such a line.
 */
export function applyRequirementLine(raw: string, line: number, facts: FileFacts): void {
  const text = raw.trim();
  if (!text) return;
  const where = `${facts.file}:${line}`;
  if (text.startsWith('-')) {
    const m = OPTION_WITH_VALUE.exec(text);
    if (!m) return; // --pre, --no-binary, --prefer-binary...: nothing that detection needs.
    const opt = m[1]!;
    const value = m[2]!.trim().replace(/^["']|["']$/g, '');
    switch (opt) {
      case '-r':
      case '--requirement':
      case '-c':
      case '--constraint':
        if (value) facts.includes.push({ path: joinRel(dirOf(facts.file), value), constraint: opt === '-c' || opt === '--constraint', line });
        return;
      case '-i':
      case '--index-url':
      case '--extra-index-url':
        if (value) facts.indexUrls.push({ url: value, line });
        return;
      case '-e':
      case '--editable':
        facts.warnings.push(`${where}: skipped editable requirement '${shorten(value, 60)}' (not resolved)`);
        return;
      default:
        return;
    }
  }
  if (URL_LIKE.test(text) || PATH_LIKE.test(text.split(/\s|;/)[0] ?? '')) {
    facts.warnings.push(`${where}: skipped URL/path requirement '${shorten(text, 60)}' (not resolved)`);
    return;
  }
  // pip-compile appends per-requirement options (`--hash=...`) after the requirement.
  const written = text.replace(/\s+--?[a-z][\w-]*(?:[=\s]\S+)?/gi, '').trim();
  const req = parseRequirement(written);
  if (!req) {
    facts.warnings.push(`${where}: could not parse requirement '${shorten(text, 60)}'`);
    return;
  }
  if (req.url) facts.warnings.push(`${where}: '${req.name}' is a direct URL reference; its version is not resolved`);
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
