// Every element is built through h(): text always becomes a text node, never markup, so nothing an
// API returns (names, emails, event payloads) can inject HTML into the console.

/**
 * Creates an element. `props` keys starting with `on` add listeners; `true`/`false` toggle boolean
 * attributes; null and undefined are skipped. Children may be nodes, strings, numbers or arrays.
 * @param {string} tag
 * @param {Record<string, unknown>} [props]
 * @param {...unknown} children
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/** @param {Node} parent @param {unknown[]} children */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Empties a node and fills it again. @param {Node} node @param {...unknown} children */
export function replace(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

let nextId = 0;
/** A document-unique id, to tie labels and error messages to their inputs. @param {string} prefix */
export const uid = (prefix) => `${prefix}-${++nextId}`;
