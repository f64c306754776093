import { h, replace } from './dom.js';
import { button, problemBox } from './ui.js';

/**
 * @template T
 * @typedef {{ label: string, value: (row: T) => unknown }} Column
 */

/**
 * A table with a caption and column headers (scope=col), for screen readers.
 * @template T
 * @param {{ caption: string, columns: Column<T>[], rows: T[], empty?: string }} spec
 */
export function table(spec) {
  if (spec.rows.length === 0) return h('p', { class: 'empty' }, spec.empty ?? 'Nothing here yet.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, spec.caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          spec.columns.map((c) => h('th', { scope: 'col' }, c.label)),
        ),
      ),
      h(
        'tbody',
        {},
        spec.rows.map((row) =>
          h(
            'tr',
            {},
            spec.columns.map((c) => h('td', {}, c.value(row))),
          ),
        ),
      ),
    ),
  );
}

/**
 * A list the API pages by cursor: shows one page with "Previous" and "Next", keeping the cursors
 * seen so far (the API's cursors only go forward). `load(cursor)` returns `{ items, next_cursor }`.
 * @template T
 * @param {{ caption: string, columns: Column<T>[], empty?: string,
 *   load: (cursor: string | undefined) => Promise<{ items: T[], next_cursor: string | null }> }} spec
 */
export function pagedTable(spec) {
  const el = h('div', { class: 'paged' });
  /** @type {(string | undefined)[]} */
  const cursors = [undefined];
  let index = 0;
  async function show() {
    el.setAttribute('aria-busy', 'true');
    try {
      const page = await spec.load(cursors[index]);
      if (page.next_cursor) cursors[index + 1] = page.next_cursor;
      const previous = button('Previous page', () => {
        index -= 1;
        void show();
      });
      previous.disabled = index === 0;
      const next = button('Next page', () => {
        index += 1;
        void show();
      });
      next.disabled = !page.next_cursor;
      replace(
        el,
        table({ caption: spec.caption, columns: spec.columns, rows: page.items, empty: spec.empty }),
        (index > 0 || page.next_cursor) &&
          h(
            'nav',
            { class: 'pager', 'aria-label': `${spec.caption} pages` },
            previous,
            `Page ${index + 1}`,
            next,
          ),
      );
    } catch (error) {
      replace(el, problemBox(error));
    } finally {
      el.removeAttribute('aria-busy');
    }
  }
  void show();
  return Object.assign(el, {
    /** Shows the first page again (after a change or a new filter). */
    reload() {
      cursors.length = 1;
      index = 0;
      return show();
    },
  });
}

/** Pairs of term and value. @param {[string, unknown][]} pairs */
export const details = (pairs) =>
  h(
    'dl',
    { class: 'details' },
    pairs.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value ?? '—')]),
  );

/** A time in the reader's locale, with the exact instant in `datetime`. @param {string | null} iso */
export const time = (iso) => (iso ? h('time', { datetime: iso }, new Date(iso).toLocaleString()) : '—');
