import { h, replace } from '../dom.js';
import { problemBox } from '../ui.js';

/**
 * A titled part of a screen filled from the API. A refused or failed call shows its problem in the
 * part alone, so the rest of the screen keeps working (an administrator without `session:read`
 * still manages the user's roles). `fill` gets `reload`, to call after a change; focus that was in
 * the part (or lost) moves to its heading, rather than being lost with the replaced controls.
 * @param {string} title
 * @param {(reload: () => Promise<void>) => Promise<unknown>} fill
 */
export function section(title, fill) {
  const titleEl = h('h2', { tabindex: '-1' }, title);
  const body = h('div', {});
  let filled = false;
  async function reload() {
    // A submit button disabled while its form is sent drops focus to the body: that counts too.
    const active = document.activeElement;
    const hadFocus = filled && (body.contains(active) || active === document.body);
    filled = true;
    body.setAttribute('aria-busy', 'true');
    try {
      replace(body, await fill(reload));
    } catch (error) {
      replace(body, problemBox(error));
    } finally {
      body.removeAttribute('aria-busy');
    }
    if (hadFocus) titleEl.focus();
  }
  void reload();
  return Object.assign(h('section', {}, titleEl, body), { reload });
}
