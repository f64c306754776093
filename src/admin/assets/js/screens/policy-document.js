import { h } from '../dom.js';
import { button, problemBox } from '../ui.js';

// Policy documents as the administrator types them: JSON text that is checked here first (where it
// fails, and keys that repeat), and the API's validation errors tied back to the text they point at.

/** A starting document (docs/policies.md): one statement, the shape every policy takes. */
export const TEMPLATE = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ReadUsers',
      Effect: 'Allow',
      Action: ['user:read', 'user:list'],
      Resource: 'user/*',
    },
  ],
};

/** @param {unknown} value */
export const pretty = (value) => JSON.stringify(value, null, 2);

/** Text that is not a usable document, with the range of the text at fault. */
class DocumentError extends Error {
  /** @param {string} message @param {number} start @param {number} [end] */
  constructor(message, start, end = start + 1) {
    super(message);
    this.code = 'Not a valid document';
    this.start = start;
    this.end = end;
  }
}

/** @param {string} token */
const escapeToken = (token) => token.replaceAll('~', '~0').replaceAll('/', '~1');
/** @param {string} token */
const unescapeToken = (token) => token.replaceAll('~1', '/').replaceAll('~0', '~');

/**
 * Walks JSON text to find what JSON.parse does not say: where each value lies (by JSON pointer),
 * the first key an object repeats (JSON.parse keeps the last one silently, and the API refuses
 * documents whose keys repeat), and, for text that is not JSON, where it stops being JSON.
 * @param {string} text
 */
function scan(text) {
  let i = 0;
  /** @type {Map<string, [number, number]>} */
  const ranges = new Map();
  /** @type {{ pointer: string, start: number, end: number } | null} */
  let repeated = null;
  /** @param {string} expected */
  const fail = (expected) => {
    throw Object.assign(new SyntaxError(`expected ${expected}`), { position: i });
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i += 1;
  };
  const string = () => {
    i += 1;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i += 1;
        return;
      }
      if (c < ' ') fail('no control character inside a string');
      i += c === '\\' ? 2 : 1;
    }
    fail('a closing quote');
  };
  const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  /** @param {string} pointer */
  const value = (pointer) => {
    space();
    const start = i;
    const c = text[i];
    if (c === '{') object(pointer);
    else if (c === '[') array(pointer);
    else if (c === '"') string();
    else if (text.startsWith('true', i)) i += 4;
    else if (text.startsWith('false', i)) i += 5;
    else if (text.startsWith('null', i)) i += 4;
    else {
      number.lastIndex = i;
      if (!number.test(text)) fail('a value');
      i = number.lastIndex;
    }
    ranges.set(pointer, [start, i]);
  };
  /** @param {string} pointer */
  const object = (pointer) => {
    i += 1;
    space();
    if (text[i] === '}') {
      i += 1;
      return;
    }
    const keys = new Set();
    for (;;) {
      space();
      if (text[i] !== '"') fail('a double-quoted property name');
      const keyStart = i;
      string();
      const key = JSON.parse(text.slice(keyStart, i));
      const child = `${pointer}/${escapeToken(key)}`;
      if (keys.has(key)) repeated ??= { pointer: child, start: keyStart, end: i };
      keys.add(key);
      space();
      if (text[i] !== ':') fail("':' after the property name");
      i += 1;
      value(child);
      space();
      if (text[i] === '}') {
        i += 1;
        return;
      }
      if (text[i] !== ',') fail("',' or '}'");
      i += 1;
    }
  };
  /** @param {string} pointer */
  const array = (pointer) => {
    i += 1;
    space();
    if (text[i] === ']') {
      i += 1;
      return;
    }
    for (let index = 0; ; index += 1) {
      value(`${pointer}/${index}`);
      space();
      if (text[i] === ']') {
        i += 1;
        return;
      }
      if (text[i] !== ',') fail("',' or ']'");
      i += 1;
    }
  };
  value('');
  space();
  if (i < text.length) fail('the end of the text');
  return { ranges, repeated };
}

/** "line 3, column 14" of a position in the text. @param {string} text @param {number} position */
function lineAndColumn(text, position) {
  const before = text.slice(0, position).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/**
 * Parses JSON typed by the administrator, before any request. Throws a DocumentError that says
 * where the text stops being JSON, or which key repeats.
 * @param {string} text @param {string} what  e.g. "The document"
 * @returns {{ value: any, ranges: Map<string, [number, number]> }}
 */
function parseJson(text, what) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    /** @type {number | undefined} */
    let position;
    try {
      scan(text);
    } catch (found) {
      position = /** @type {any} */ (found).position;
    }
    // The position is said once, by line and column: the browser's own wording of it goes.
    const reason = /** @type {Error} */ (error).message.replace(
      / (in JSON )?at position \d+( \(line \d+ column \d+\))?/,
      '',
    );
    if (position === undefined) throw new DocumentError(`${what} is not JSON: ${reason}`, 0, 0);
    throw new DocumentError(`${what} is not JSON (at ${lineAndColumn(text, position)}): ${reason}`, position);
  }
  const { ranges, repeated } = scan(text);
  if (repeated) {
    throw new DocumentError(
      `${what} repeats the key ${repeated.pointer} (at ${lineAndColumn(text, repeated.start)}); keys must not repeat.`,
      repeated.start,
      repeated.end,
    );
  }
  return { value, ranges };
}

/**
 * Parses a textarea's JSON; where it fails, the faulty text is selected, so the caret is on it.
 * @param {HTMLTextAreaElement} textarea @param {string} what  e.g. "The document"
 * @param {{ object?: boolean }} [expect]  `object`: only a JSON object will do
 */
export function readJson(textarea, what, expect = {}) {
  try {
    const parsed = parseJson(textarea.value, what);
    const { value } = parsed;
    if (expect.object && (value === null || typeof value !== 'object' || Array.isArray(value)))
      throw new DocumentError(`${what} must be a JSON object ({…}).`, 0, textarea.value.length);
    return parsed;
  } catch (error) {
    if (error instanceof DocumentError) {
      textarea.focus();
      textarea.setSelectionRange(error.start, error.end);
    }
    throw error;
  }
}

/**
 * What the document holds at a JSON pointer, or at its longest part that exists (an error may point
 * at a key the document lacks).
 * @param {unknown} document @param {string} pointer
 */
function fragmentAt(document, pointer) {
  let value = document;
  let at = '';
  for (const token of pointer.split('/').slice(1).map(unescapeToken)) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, token)) break;
    value = /** @type {any} */ (value)[token];
    at += `/${escapeToken(token)}`;
  }
  return { at, value };
}

/** @param {unknown} error */
const isDocumentProblem = (error) =>
  /** @type {any} */ (error)?.code === 'IAM_ERR_POLICY_INVALID' || /** @type {any} */ (error)?.status === 422;

/**
 * Adds to each field error of an invalid-document problem what the document has where it points,
 * for forms that show errors as text. `prefix` is where the document sits in the request body.
 * @param {unknown} error @param {string} prefix @param {unknown} document
 */
export function withFragments(error, prefix, document) {
  const problem = /** @type {any} */ (error);
  if (!isDocumentProblem(problem) || !Array.isArray(problem.errors)) return error;
  problem.errors = problem.errors.map((/** @type {{ pointer: string, message: string }} */ e) => {
    if (!e.pointer.startsWith(prefix)) return e;
    const { at, value } = fragmentAt(document, e.pointer.slice(prefix.length));
    const text = JSON.stringify(value) ?? '';
    const shown = text.length > 160 ? `${text.slice(0, 159)}…` : text;
    return { ...e, message: `${e.message} — ${at || '/'} is ${shown}` };
  });
  return problem;
}

/**
 * A problem about a document sent from a textarea: each error with its pointer, what the document
 * has there in a <pre>, and a button that selects that text in the textarea.
 * @param {unknown} error
 * @param {{ prefix: string, document: unknown, ranges: Map<string, [number, number]>,
 *   textarea: HTMLTextAreaElement }} sent
 */
export function documentProblem(error, sent) {
  const problem = /** @type {any} */ (error);
  const select = (/** @type {number} */ start, /** @type {number} */ end) => {
    sent.textarea.focus();
    sent.textarea.setSelectionRange(start, end);
  };
  const errors = Array.isArray(problem?.errors) ? problem.errors : [];
  if (!isDocumentProblem(problem) || errors.length === 0) return problemBox(error);
  return h(
    'div',
    { class: 'problem', role: 'alert' },
    h('p', {}, h('strong', {}, problem.code), ' ', problem.message),
    h(
      'ul',
      {},
      errors.map((/** @type {{ pointer: string, message: string }} */ e) => {
        if (!e.pointer.startsWith(sent.prefix)) return h('li', {}, h('code', {}, e.pointer), ' ', e.message);
        const { at, value } = fragmentAt(sent.document, e.pointer.slice(sent.prefix.length));
        const range = sent.ranges.get(at);
        return h(
          'li',
          {},
          h('code', {}, e.pointer),
          ' ',
          e.message,
          ' ',
          range && button(`Show ${at || 'the document'} in the editor`, () => select(range[0], range[1])),
          h(
            'p',
            {},
            at === e.pointer.slice(sent.prefix.length)
              ? 'The document has here:'
              : `Nearest part that exists, ${at || '/'}:`,
          ),
          h('pre', {}, pretty(value)),
        );
      }),
    ),
  );
}
