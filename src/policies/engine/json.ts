import { type PathSegment, toPointer } from './pointer.ts';
import type { ValidationIssue } from './types.ts';

// policy-spec §1: "An element must not repeat a key". JSON.parse silently
// keeps the last duplicate, so raw policy text is parsed here instead: a small
// recursive-descent JSON parser (RFC 8259) that builds the same value as
// JSON.parse and reports each duplicate key with its JSON pointer.

export interface ParsedJson {
  /** The parsed value (last duplicate wins, as in JSON.parse); absent when the text is not JSON. */
  document?: unknown;
  issues: ValidationIssue[];
}

// Policies are shallow; the cap keeps hostile nesting from exhausting the stack.
const MAX_DEPTH = 64;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class JsonSyntaxError extends Error {
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  // Plain assignment to "__proto__" would change the prototype; JSON.parse defines an own property.
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

export function parsePolicyJson(text: string): ParsedJson {
  const issues: ValidationIssue[] = [];
  const path: PathSegment[] = [];
  let pos = 0;

  const fail = (message: string): never => {
    throw new JsonSyntaxError(message, pos);
  };
  const skipWhitespace = (): void => {
    for (;;) {
      const code = text.charCodeAt(pos);
      if (code !== 32 && code !== 9 && code !== 10 && code !== 13) return;
      pos++;
    }
  };
  const expect = (char: string): void => {
    if (text[pos] !== char) fail(`expected "${char}"`);
    pos++;
  };

  const parseString = (): string => {
    expect('"');
    let out = '';
    let start = pos;
    for (;;) {
      const code = text.charCodeAt(pos);
      if (Number.isNaN(code)) fail('unterminated string');
      if (code < 0x20) fail('control character in string');
      if (code === 34) break;
      if (code !== 92) {
        pos++;
        continue;
      }
      out += text.slice(start, pos);
      const escaped = text[pos + 1] ?? '';
      if (escaped === 'u') {
        const hex = text.slice(pos + 2, pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape');
        out += String.fromCharCode(Number.parseInt(hex, 16));
        pos += 6;
      } else {
        const replacement = ESCAPES[escaped];
        if (replacement === undefined) fail('invalid escape');
        out += replacement;
        pos += 2;
      }
      start = pos;
    }
    out += text.slice(start, pos);
    pos++;
    return out;
  };

  const parseLiteral = <T>(word: string, value: T): T => {
    if (!text.startsWith(word, pos)) fail('unexpected token');
    pos += word.length;
    return value;
  };

  const parseValue = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    skipWhitespace();
    const char = text[pos];
    if (char === '{') return parseObject(depth);
    if (char === '[') return parseArray(depth);
    if (char === '"') return parseString();
    if (char === 't') return parseLiteral('true', true);
    if (char === 'f') return parseLiteral('false', false);
    if (char === 'n') return parseLiteral('null', null);
    NUMBER.lastIndex = pos;
    const number = NUMBER.exec(text);
    if (number === null) return fail(char === undefined ? 'unexpected end of input' : 'unexpected token');
    pos += number[0].length;
    return Number(number[0]);
  };

  const parseObject = (depth: number): Record<string, unknown> => {
    const object: Record<string, unknown> = {};
    pos++;
    skipWhitespace();
    if (text[pos] === '}') {
      pos++;
      return object;
    }
    for (;;) {
      skipWhitespace();
      const key = parseString();
      skipWhitespace();
      expect(':');
      path.push(key);
      const value = parseValue(depth + 1);
      if (Object.hasOwn(object, key))
        issues.push({ pointer: toPointer(path), message: `duplicate key "${key}"` });
      path.pop();
      setMember(object, key, value);
      skipWhitespace();
      if (text[pos] === '}') break;
      expect(',');
    }
    pos++;
    return object;
  };

  const parseArray = (depth: number): unknown[] => {
    const array: unknown[] = [];
    pos++;
    skipWhitespace();
    if (text[pos] === ']') {
      pos++;
      return array;
    }
    for (;;) {
      path.push(array.length);
      array.push(parseValue(depth + 1));
      path.pop();
      skipWhitespace();
      if (text[pos] === ']') break;
      expect(',');
    }
    pos++;
    return array;
  };

  try {
    const document = parseValue(0);
    skipWhitespace();
    if (pos < text.length) fail('unexpected text after the document');
    return { document, issues };
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    const before = text.slice(0, error.offset);
    const line = before.split('\n').length;
    const column = error.offset - before.lastIndexOf('\n');
    return {
      issues: [
        {
          pointer: toPointer(path),
          message: `malformed JSON at line ${line}, column ${column}: ${error.message}`,
        },
      ],
    };
  }
}
