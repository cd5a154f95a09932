// One entry point from (role, text) to FileFacts, plus the small Python-version files.
import type { FileRole } from './classify';
import { parseCondaEnv } from './conda';
import { emptyFacts, loc, shorten, type FileFacts } from './facts';
import { parsePipfileLock, parsePoetryLock, parseUvLock } from './locks';
import { parsePipfile, parsePyproject } from './pyproject';
import { parseNotebook, parsePythonSource } from './python';
import { parseRequirements } from './requirements';
import { parseBentofile, parseCogYaml, parseTrussConfig } from './serving';
import { parseSetupCfg, parseSetupPy } from './setup';
import { scanLlmFacts } from './llm';

/** Adds the LLM facts of a source text (most sources have none). */
function withLlm(facts: FileFacts, text: string, file: string): FileFacts {
  const { llm, hubModels } = scanLlmFacts(file, text);
  if (llm.length) facts.llm = llm;
  if (hubModels.length) facts.hubModels = hubModels;
  return facts;
}

/** `.python-version` (pyenv/uv): first non-comment line, e.g. `3.11.4` or `3.11`. */
export function parsePythonVersionFile(text: string, file: string): FileFacts {
  const facts = emptyFacts(file);
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (!l || l.startsWith('#')) continue;
    const m = /^(?:cpython-|python-?)?(\d+)\.(\d+)/i.exec(l);
    if (m) facts.python = { version: `${m[1]}.${m[2]}`, rank: 1, line: i + 1, reason: shorten(l, 40) };
    else facts.warnings.push(`${loc(file, i + 1)}: not a CPython version, ignored`);
    break;
  }
  return facts;
}

/** `runtime.txt` (Heroku-style): `python-3.10.12`. */
export function parseRuntimeTxt(text: string, file: string): FileFacts {
  const facts = emptyFacts(file);
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*python-(\d+)\.(\d+)/i.exec(lines[i]!);
    if (m) {
      facts.python = { version: `${m[1]}.${m[2]}`, rank: 2, line: i + 1, reason: lines[i]!.trim() };
      break;
    }
  }
  return facts;
}

export function parseByRole(role: FileRole, text: string, file: string): FileFacts {
  switch (role) {
    case 'requirements':
      return parseRequirements(text, file);
    case 'pyproject':
      return parsePyproject(text, file);
    case 'setup.cfg':
      return parseSetupCfg(text, file);
    case 'setup.py': {
      // setup.py is Python too: its imports and `__main__` count like any other source's.
      const facts = parseSetupPy(text, file);
      facts.imports = parsePythonSource(text, file).imports;
      return facts;
    }
    case 'pipfile':
      return parsePipfile(text, file);
    case 'pipfile.lock':
      return parsePipfileLock(text, file);
    case 'poetry.lock':
      return parsePoetryLock(text, file);
    case 'uv.lock':
      return parseUvLock(text, file);
    case 'conda':
      return parseCondaEnv(text, file);
    case 'python-version':
      return parsePythonVersionFile(text, file);
    case 'runtime.txt':
      return parseRuntimeTxt(text, file);
    case 'python':
      return withLlm(parsePythonSource(text, file), text, file);
    case 'notebook':
      // Notebook JSON escapes the quotes of the code it holds; each source line stays on its own
      // JSON line, so unescaping them keeps line numbers those of the .ipynb file.
      return withLlm(parseNotebook(text, file), text.includes('\\"') ? text.replace(/\\"/g, '"') : text, file);
    case 'cog':
      return parseCogYaml(text, file);
    case 'bentofile':
      return parseBentofile(text, file);
    case 'truss':
      return parseTrussConfig(text, file);
  }
}
