// One quoting function per place a value can land in a generated file. Names come from a
// workspace (file and folder names, dependency strings, detected routes), so every one of them is
// hostile input: a value may never end an instruction, start a new one, or change how the
// builder, the shell or pip reads the line. What cannot be made safe is refused with a reason
// (UnsafeValueError), never silently altered.
import { printable } from '../safePath';

export class UnsafeValueError extends Error {
  constructor(
    /** What the value is, e.g. "the artifact path". */
    readonly what: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`${what} '${printable(value, 160)}' ${reason}`);
    this.name = 'UnsafeValueError';
  }
}

// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators (which editors
// show as line breaks). One character class, no quantifier: linear on any input.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function hasControl(s: string): boolean {
  return CONTROL.test(s);
}

/** Refuses a value that would not stay on one line (or hides characters from the reader). */
export function singleLine(what: string, s: string): string {
  if (CONTROL.test(s)) throw new UnsafeValueError(what, s, 'contains a control character (a line break, tab or similar); rename it: ModelDock does not write such names into generated files');
  return s;
}

// ---------------------------------------------------------------- Dockerfile

/** Comment text: one line, control characters shown as escapes (comments are for people; nothing parses them). */
export function dfComment(s: string): string {
  return printable(s, Number.POSITIVE_INFINITY);
}

/**
 * A double-quoted Dockerfile string (LABEL, ENV and ARG values). Docker's word processing reads
 * `\"`, `\$` and `\\` inside double quotes; nothing else is special there.
 */
export function dfQuoted(what: string, s: string): string {
  singleLine(what, s);
  return `"${s.replace(/[\\"$]/g, (c) => `\\${c}`)}"`;
}

const DF_PLAIN = /^[A-Za-z0-9_./@%+:,=-]+$/;

/** An ENV/ARG value: bare when nothing in it is special to Docker, else double-quoted. */
export function dfValue(what: string, s: string): string {
  return s !== '' && DF_PLAIN.test(s) ? singleLine(what, s) : dfQuoted(what, s);
}

/** ENV/ARG names: what a POSIX shell accepts as a variable name. */
export function dfName(what: string, s: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) throw new UnsafeValueError(what, s, 'is not a valid variable name');
  return s;
}

const GLOB = /[*?[\]]/;

/**
 * COPY sources and destination. Plain paths stay in the readable shell form; anything else
 * (spaces, quotes, `$`, a leading `-` that COPY would read as a flag) uses the JSON form with
 * each word escaped for Docker's word processing, which also applies inside the JSON form.
 * Glob characters and backslashes are refused: COPY would expand or unescape them.
 */
export function dfCopy(what: string, sources: string[], dest: string): string {
  const words = [...sources, dest];
  for (const w of words) {
    singleLine(what, w);
    if (w === '') throw new UnsafeValueError(what, w, 'is empty');
    if (GLOB.test(w)) throw new UnsafeValueError(what, w, 'contains a glob character (* ? [ ]) that COPY would expand; rename it');
    if (w.includes('\\')) throw new UnsafeValueError(what, w, 'contains a backslash, which COPY reads as an escape; rename it');
  }
  if (words.every((w) => DF_PLAIN.test(w) && !w.startsWith('-'))) return words.join(' ');
  return `[${words.map((w) => JSON.stringify(w.replace(/[\\"'$]/g, (c) => `\\${c}`))).join(', ')}]`;
}

/** The JSON-array (exec) form of CMD, ENTRYPOINT and HEALTHCHECK CMD: no shell, no word processing. */
export function dfExec(what: string, args: string[]): string {
  for (const a of args) singleLine(what, a);
  return JSON.stringify(args);
}

// ---------------------------------------------------------------- shell (RUN)

// Joins the steps of one RUN instruction. The separator holds NUL characters, which no checked
// value can contain (singleLine refuses them), and only the Dockerfile renderer turns it into a
// line continuation: no value can produce one.
const STEP = '\u0000&&\u0000';

/** One RUN instruction's commands, each built from checked words: `a \\\n && b`. */
export function runSteps(steps: string[]): string {
  return steps.join(STEP);
}

/** The Dockerfile renderer's value check: one line per value, except where runSteps joined steps. */
export function dockerfileText(what: string, s: string): string {
  return s
    .split(STEP)
    .map((part) => singleLine(what, part))
    .join(' \\\n && ');
}

// No `~` (tilde expansion at a word's start) and nothing the shell or Docker treats specially.
const SH_PLAIN = /^[A-Za-z0-9_./@%+:,=-]+$/;

/**
 * One word of a RUN line: bare when plainly safe, else single-quoted (inside single quotes the
 * shell reads nothing). Control characters are refused: a line break would end the instruction.
 * A quoted word always ends in `'`, so it can never end a line in Docker's `\` continuation.
 */
export function shellWord(what: string, s: string): string {
  singleLine(what, s);
  if (s === '') return "''";
  return SH_PLAIN.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A pip requirement on a command line: a word that must not read as a pip option. */
export function pipRequirementWord(what: string, s: string): string {
  if (/^\s*-/.test(s)) throw new UnsafeValueError(what, s, 'starts with "-", which pip would read as an option');
  return shellWord(what, s);
}

// ---------------------------------------------------------------- other formats

/** A .dockerignore pattern that matches exactly this path: glob characters and a leading `!`/`#` escaped. */
export function dockerignorePattern(what: string, path: string): string {
  singleLine(what, path);
  const escaped = path.replace(/[\\*?[\]]/g, (c) => `\\${c}`);
  return /^[!#]/.test(escaped) ? `\\${escaped}` : escaped;
}

/** A protobuf text-format string body (config.pbtxt): quotes, backslashes and control bytes escaped. */
export function pbtxtString(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\\"'\u0000-\u001f\u007f]/g, (c) => (c === '\\' || c === '"' || c === "'" ? `\\${c}` : `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`));
}

/**
 * A Python string literal: single-quoted when plainly safe, else a JSON string (which Python
 * reads the same way). Neither form can contain three raw double quotes, so it is also safe
 * inside a docstring.
 */
export function pyString(s: string): string {
  return /^[A-Za-z0-9 ._:/@%+=,~-]*$/.test(s) ? `'${s}'` : JSON.stringify(s);
}
