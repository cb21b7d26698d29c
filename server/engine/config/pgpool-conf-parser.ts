/**
 * pgpool.conf syntax (reference §8.3, pgpool's `src/config/pool_config.l`), as a pure function over text: the file
 * system is reached only through the injected `readFile`, so every rule is unit-testable.
 *
 * Faithful to pgpool where it matters for compatibility:
 * - one `name [=] value` per line, `#` comment to end of line, whitespace is space/tab/CR;
 * - names are case-sensitive `[A-Za-z_\x80-][A-Za-z0-9_\x80-]*`; an array element is `name<digits>`;
 * - a quoted value keeps its backslash sequences verbatim (pgpool only strips the outer quotes), and a raw `'`
 *   cannot appear inside quotes (`''` is two adjacent strings, a syntax error as in pgpool);
 * - unquoted words `[letter]([letter|digit|-._:/])*`, integers `[+-]?(digits|0xHEX)` with unit letters (`5min`), reals;
 * - `include 'file'` is resolved against the including file's directory, nesting at most 10 deep.
 * Meaning (types, units, ranges) is applied later by the parameter registry; the parser only keeps raw text.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { DiagnosticSink } from './diagnostics';

export type ValueToken = 'string' | 'unquoted' | 'integer' | 'real';

export interface Assignment {
  /** The name exactly as written, index included (`backend_hostname0`). */
  key: string;
  /** Raw value text; for a quoted value, the text between the quotes, backslashes untouched. */
  value: string;
  token: ValueToken;
  file: string;
  line: number;
}

export interface ParseOptions {
  /** Reads an included file (absolute path); throws when it cannot. Defaults to "includes are not allowed". */
  readFile?: (path: string) => string;
  /** Current include depth (internal). */
  depth?: number;
}

export interface ParseResult {
  assignments: Assignment[];
  sink: DiagnosticSink;
}

/** pgpool (like PostgreSQL) gives up after this many nested includes. */
export const MAX_INCLUDE_DEPTH = 10;

const isLetter = (c: string): boolean => /[A-Za-z_]/.test(c) || c.charCodeAt(0) >= 0x80;
const isLetterOrDigit = (c: string): boolean => isLetter(c) || /[0-9]/.test(c);

interface Token {
  kind: ValueToken | 'key' | 'equals' | 'error';
  text: string;
  /** For strings: the unquoted text. */
  value: string;
}

/** Splits one line (without its newline) into tokens; a comment ends the line. */
function lexLine(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF') {
      i++;
      continue;
    }
    if (c === '#') break;
    if (c === '=') {
      tokens.push({ kind: 'equals', text: '=', value: '=' });
      i++;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      let closed = false;
      while (j < line.length) {
        if (line[j] === '\\' && j + 1 < line.length) {
          j += 2;
          continue;
        }
        if (line[j] === "'") {
          closed = true;
          break;
        }
        j++;
      }
      if (!closed) {
        tokens.push({ kind: 'error', text: line.slice(i), value: 'unterminated quoted string' });
        return tokens;
      }
      tokens.push({ kind: 'string', text: line.slice(i, j + 1), value: line.slice(i + 1, j) });
      i = j + 1;
      continue;
    }
    const rest = line.slice(i);
    const num = /^[+-]?(?:\d*\.\d*(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+|\d+)[A-Za-z]*/.exec(rest) ?? undefined;
    if (num && /\d/.test(num[0])) {
      const text = num[0];
      const kind: ValueToken =
        /^[+-]?\d*\.\d*(?:[eE][+-]?\d+)?[A-Za-z]*$/.test(text) && text.includes('.') ? 'real' : 'integer';
      tokens.push({ kind, text, value: text });
      i += text.length;
      continue;
    }
    if (isLetter(c)) {
      let j = i + 1;
      while (j < line.length && isLetterOrDigit(line[j]!)) j++;
      let k = j;
      while (k < line.length && (isLetterOrDigit(line[k]!) || '-._:/'.includes(line[k]!))) k++;
      // Longest match wins, as in flex: a word with `-._:/` is an unquoted value, otherwise a name.
      const kind = k > j ? 'unquoted' : 'key';
      tokens.push({ kind, text: line.slice(i, k), value: line.slice(i, k) });
      i = k;
      continue;
    }
    tokens.push({ kind: 'error', text: rest, value: `unexpected character '${c}'` });
    return tokens;
  }
  return tokens;
}

/** Parses pgpool.conf text. `file` is the absolute path used in diagnostics and to resolve includes. */
export function parsePgpoolConf(text: string, file: string, opts: ParseOptions = {}): ParseResult {
  const sink = new DiagnosticSink();
  const assignments: Assignment[] = [];
  const depth = opts.depth ?? 0;
  const lines = text.split('\n');
  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    const tokens = lexLine(raw);
    if (tokens.length === 0) return;
    const [first, ...rest] = tokens;
    if (first!.kind === 'error') {
      sink.error(file, lineNo, undefined, `syntax error: ${first!.value}`);
      return;
    }
    if (first!.kind !== 'key') {
      sink.error(file, lineNo, undefined, `syntax error: expected a parameter name, found '${first!.text}'`);
      return;
    }
    const key = first!.text;
    let values = rest;
    if (values[0]?.kind === 'equals') values = values.slice(1);
    const value = values[0];
    if (!value) {
      sink.error(file, lineNo, key, 'syntax error: missing value');
      return;
    }
    if (value.kind === 'error') {
      sink.error(file, lineNo, key, `syntax error: ${value.value}`);
      return;
    }
    if (value.kind === 'equals') {
      sink.error(file, lineNo, key, "syntax error: unexpected '='");
      return;
    }
    const extra = values[1];
    if (extra) {
      const hint =
        value.kind === 'string' && extra.kind === 'string'
          ? " (a quoted value cannot contain a raw quote: pgpool does not accept '' inside quotes)"
          : value.kind !== 'string'
            ? ' (quote the value)'
            : '';
      sink.error(file, lineNo, key, `syntax error: unexpected '${extra.text}' after the value${hint}`);
      return;
    }
    const token: ValueToken = value.kind === 'key' ? 'unquoted' : value.kind;
    if (key === 'include') {
      includeFile(value.value, file, lineNo, depth, opts, sink, assignments);
      return;
    }
    assignments.push({ key, value: value.value, token, file, line: lineNo });
  });
  return { assignments, sink };
}

function includeFile(
  target: string,
  file: string,
  line: number,
  depth: number,
  opts: ParseOptions,
  sink: DiagnosticSink,
  out: Assignment[],
): void {
  if (depth + 1 > MAX_INCLUDE_DEPTH) {
    sink.error(
      file,
      line,
      'include',
      `could not open '${target}': nesting depth exceeds ${MAX_INCLUDE_DEPTH}`,
    );
    return;
  }
  if (!opts.readFile) {
    sink.error(file, line, 'include', 'include is not allowed here');
    return;
  }
  const path = isAbsolute(target) ? target : resolve(dirname(file), target);
  let text: string;
  try {
    text = opts.readFile(path);
  } catch (e) {
    sink.error(file, line, 'include', `could not open '${path}': ${(e as Error).message}`);
    return;
  }
  const inner = parsePgpoolConf(text, path, { ...opts, depth: depth + 1 });
  out.push(...inner.assignments);
  inner.sink.all.forEach((d) => sink.push(d));
}

/** `backend_hostname12` → `{ base: 'backend_hostname', index: 12 }`; names without a numeric suffix → null. */
export function splitIndexedName(key: string): { base: string; index: number } | null {
  const m = /^(.*?[A-Za-z_\x80-\uffff])(\d+)$/.exec(key);
  if (!m) return null;
  return { base: m[1]!, index: Number.parseInt(m[2]!, 10) };
}
