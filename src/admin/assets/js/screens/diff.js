import { h } from '../dom.js';

/**
 * @typedef {{ kind: 'same' | 'added' | 'removed', line: string }} DiffLine
 */

/**
 * A line diff by longest common subsequence: lines only in `before` are removed, lines only in
 * `after` are added, and the rest are kept in order.
 * @param {string[]} before @param {string[]} after
 * @returns {DiffLine[]}
 */
function diffLines(before, after) {
  // An edit usually touches a few lines in the middle: the common head and tail need no table,
  // which keeps the quadratic part small even for the largest documents.
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head += 1;
  let tail = 0;
  while (
    tail < before.length - head &&
    tail < after.length - head &&
    before[before.length - 1 - tail] === after[after.length - 1 - tail]
  )
    tail += 1;
  const a = before.slice(head, before.length - tail);
  const b = after.slice(head, after.length - tail);
  const width = b.length + 1;
  // common[i * width + j]: the length of the longest common subsequence of a[i…] and b[j…].
  const common = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i -= 1) {
    for (let j = b.length - 1; j >= 0; j -= 1) {
      common[i * width + j] =
        a[i] === b[j]
          ? common[(i + 1) * width + j + 1] + 1
          : Math.max(common[(i + 1) * width + j], common[i * width + j + 1]);
    }
  }
  /** @type {DiffLine[]} */
  const lines = before.slice(0, head).map((line) => ({ kind: 'same', line }));
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ kind: 'same', line: a[i] });
      i += 1;
      j += 1;
    } else if (common[(i + 1) * width + j] >= common[i * width + j + 1]) {
      lines.push({ kind: 'removed', line: a[i] });
      i += 1;
    } else {
      lines.push({ kind: 'added', line: b[j] });
      j += 1;
    }
  }
  for (; i < a.length; i += 1) lines.push({ kind: 'removed', line: a[i] });
  for (; j < b.length; j += 1) lines.push({ kind: 'added', line: b[j] });
  for (const line of before.slice(before.length - tail)) lines.push({ kind: 'same', line });
  return lines;
}

const PREFIX = { same: '  ', added: '+ ', removed: '- ' };

/**
 * The diff of two texts as a <pre class="diff">, each changed line marked by its +/- prefix as well
 * as its colour, under a caption that counts the changes.
 * @param {string} before @param {string} after @param {string} caption
 */
export function diffView(before, after, caption) {
  const lines = diffLines(before.split('\n'), after.split('\n'));
  const added = lines.filter((l) => l.kind === 'added').length;
  const removed = lines.filter((l) => l.kind === 'removed').length;
  const count = (/** @type {number} */ n) => (n === 1 ? '1 line' : `${n} lines`);
  const summary =
    added + removed === 0 ? 'no difference' : `${count(added)} added (+), ${count(removed)} removed (-)`;
  return h(
    'figure',
    {},
    h('figcaption', {}, `${caption}: ${summary}`),
    h(
      'pre',
      { class: 'diff' },
      lines.map((l, index) => [
        index > 0 && '\n',
        l.kind === 'same' ? PREFIX.same + l.line : h('span', { class: l.kind }, PREFIX[l.kind] + l.line),
      ]),
    ),
  );
}
