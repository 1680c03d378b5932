import type { Problems } from '#main/data/problems';
import { lineColumn } from './position';

/**
 * Offset of the first syntax error in `text`, by a small JSON scanner (V8's messages do not always
 * carry a position). Returns -1 when the text is valid JSON.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const str = () => {
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 32) fail();
      if (c === 92) {
        i++;
        const e = text[i];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (e === undefined || !'"\\/bfnrt'.includes(e)) fail();
      }
      i++;
    }
    fail();
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0].length === 0) fail();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') str();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) num();
    else fail();
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (at) {
    return typeof at === 'number' ? at : 0;
  }
}

/** Parses JSON; on a syntax error records `file:line:col` and aborts the import. */
export function parseJson(text: string, file: string, problems: Problems, lineOffset = 0): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '')
    problems.fail(file, 'the file is empty', lineOffset ? { line: lineOffset + 1 } : {});
  try {
    return JSON.parse(body);
  } catch (err) {
    const offset = jsonErrorOffset(body);
    const { line, column } = lineColumn(body, Math.max(0, offset));
    const what =
      offset >= body.length
        ? 'unexpected end of JSON'
        : `malformed JSON near "${body.slice(offset, offset + 12).replace(/\s+/g, ' ')}"`;
    return problems.fail(file, `${what} (${(err as Error).message})`, { line: line + lineOffset, column });
  }
}

/**
 * Parses JSON Lines; blank lines are ignored. A line that is not JSON is one bad record: it is
 * skipped (`[k]`, k its 0-based position among the records, with its line and column in the
 * reason). A file with no readable record at all is a fatal problem.
 */
export function parseJsonLines(
  text: string,
  file: string,
  problems: Problems,
): { line: number; index: number; value: unknown }[] {
  const out: { line: number; index: number; value: unknown }[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let index = 0;
  lines.forEach((raw, idx) => {
    if (raw.trim() === '') return;
    const k = index++;
    try {
      out.push({ line: idx + 1, index: k, value: JSON.parse(raw) });
    } catch (err) {
      const column = Math.max(0, jsonErrorOffset(raw)) + 1;
      problems.skip(
        { file, id: `[${k}]`, line: idx + 1 },
        undefined,
        `malformed JSON at column ${column} (${(err as Error).message})`,
      );
    }
  });
  if (out.length === 0)
    problems.fail(
      file,
      index === 0 ? 'the file has no records (it is empty)' : 'no line of the file is valid JSON',
    );
  return out;
}

/**
 * 1-based line of each top-level element of a JSON array (or member of an object), so a problem
 * in record k can name its line. Assumes `text` is valid JSON.
 */
export function topLevelLines(text: string): number[] {
  const lines: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === 1 && expectValue && !' \t\r\n,:'.includes(c)) {
      lines.push(line);
      expectValue = false;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) expectValue = true;
  }
  return lines;
}
