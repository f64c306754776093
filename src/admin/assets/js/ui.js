import { h, replace, uid } from './dom.js';

// The console's building blocks. Every control is a native element (button, input, select,
// dialog, table) with a label, so keyboard and screen-reader use come with the platform.

/** Announces a short message in the live region. @param {string} message */
export function announce(message) {
  const status = document.getElementById('status');
  if (!status) return;
  replace(status, message);
  setTimeout(() => {
    if (status.textContent === message) replace(status);
  }, 6000);
}

/**
 * A problem box: the API's detail and, for validation problems, each field error with its pointer.
 * @param {unknown} error
 */
export function problemBox(error) {
  const e = /** @type {any} */ (error);
  const fieldErrors = Array.isArray(e?.errors) ? e.errors : [];
  return h(
    'div',
    { class: 'problem', role: 'alert' },
    h('p', {}, h('strong', {}, e?.code ?? 'Error'), ' ', e?.message ?? String(error)),
    fieldErrors.length > 0 &&
      h(
        'ul',
        {},
        fieldErrors.map((f) => h('li', {}, h('code', {}, f.pointer), ' ', f.message)),
      ),
  );
}

/**
 * Runs an action, showing its problem in `where` (and announcing success).
 * @param {HTMLElement} where @param {() => Promise<unknown>} action @param {string} [done]
 */
export async function attempt(where, action, done) {
  replace(where);
  try {
    const result = await action();
    if (done) announce(done);
    return result;
  } catch (error) {
    replace(where, problemBox(error));
    return undefined;
  }
}

/**
 * The screen's heading (focused on navigation, so screen readers announce the new screen).
 * @param {string} title @param {...unknown} actions
 */
export function heading(title, ...actions) {
  return h(
    'div',
    { class: 'heading' },
    h('h1', { tabindex: '-1' }, title),
    actions.length > 0 && h('div', { class: 'actions' }, actions),
  );
}

/** @param {string} text @param {() => unknown} onclick @param {Record<string, unknown>} [props] */
export const button = (text, onclick, props = {}) => h('button', { type: 'button', onclick, ...props }, text);

/** @param {string} href @param {string} text */
export const link = (href, text) => h('a', { href }, text);

/**
 * @typedef {{ name: string, label: string, type?: string, value?: unknown, required?: boolean,
 *   options?: (string | [string, string])[], multiple?: boolean, placeholder?: string,
 *   hint?: string, rows?: number, autocomplete?: string }} Field
 */

/**
 * A form whose fields have labels, hints and per-field error messages (aria-describedby), and a
 * problem area; `onSubmit` gets the values and may throw a Problem, whose field errors land by
 * their JSON pointer (`/email` shows under the `email` field).
 * @param {{ fields: Field[], submit: string, onSubmit: (values: Record<string, any>) => Promise<unknown>,
 *   done?: string, danger?: boolean }} spec
 */
export function form(spec) {
  const problem = h('div', {});
  /** @type {Map<string, HTMLElement>} */
  const errorsByName = new Map();
  /** @type {Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>} */
  const controls = new Map();
  const rows = spec.fields.map((field) => {
    const id = uid(field.name);
    const errorId = `${id}-error`;
    const hintId = `${id}-hint`;
    const described = [field.hint ? hintId : null, errorId].filter(Boolean).join(' ');
    let control;
    if (field.type === 'select') {
      control = h(
        'select',
        {
          id,
          name: field.name,
          'aria-describedby': described,
          multiple: field.multiple,
          required: field.required,
        },
        (field.options ?? []).map((o) => {
          const [value, text] = Array.isArray(o) ? o : [o, o];
          const selected = Array.isArray(field.value) ? field.value.includes(value) : field.value === value;
          return h('option', { value, selected }, text);
        }),
      );
    } else if (field.type === 'textarea') {
      control = h('textarea', {
        id,
        name: field.name,
        rows: field.rows ?? 8,
        spellcheck: 'false',
        'aria-describedby': described,
        required: field.required,
      });
      control.value = field.value === undefined ? '' : String(field.value);
    } else if (field.type === 'checkbox') {
      control = h('input', {
        id,
        name: field.name,
        type: 'checkbox',
        checked: Boolean(field.value),
        'aria-describedby': described,
      });
    } else {
      control = h('input', {
        id,
        name: field.name,
        type: field.type ?? 'text',
        value: field.value ?? '',
        placeholder: field.placeholder,
        autocomplete: field.autocomplete ?? 'off',
        required: field.required,
        'aria-describedby': described,
      });
    }
    controls.set(field.name, /** @type {any} */ (control));
    const error = h('span', { id: errorId, class: 'field-error' });
    errorsByName.set(field.name, error);
    return h(
      'div',
      { class: field.type === 'checkbox' ? 'field check' : 'field' },
      h('label', { for: id }, field.label),
      control,
      field.hint && h('span', { id: hintId, class: 'hint' }, field.hint),
      error,
    );
  });
  const submit = h('button', { type: 'submit', class: spec.danger ? 'danger' : 'primary' }, spec.submit);
  const el = h('form', { novalidate: true }, rows, problem, h('div', { class: 'actions' }, submit));
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const [name, err] of errorsByName) {
      replace(err);
      controls.get(name)?.removeAttribute('aria-invalid');
    }
    replace(problem);
    submit.disabled = true;
    try {
      await spec.onSubmit(readValues(controls));
      if (spec.done) announce(spec.done);
    } catch (error) {
      replace(problem, problemBox(error));
      placeFieldErrors(/** @type {any} */ (error));
    } finally {
      submit.disabled = false;
    }
  });
  // Field errors whose pointer names a field (`/name`, `/settings/x` → `name`) also go under it.
  /** @param {{ errors?: { pointer: string, message: string }[] }} error */
  function placeFieldErrors(error) {
    for (const f of error.errors ?? []) {
      const name = String(f.pointer).split('/')[1];
      const target = name ? errorsByName.get(name) : undefined;
      if (!target) continue;
      replace(target, f.message);
      controls.get(name)?.setAttribute('aria-invalid', 'true');
    }
  }
  return el;
}

/** @param {Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>} controls */
function readValues(controls) {
  /** @type {Record<string, any>} */
  const values = {};
  for (const [name, control] of controls) {
    if (control instanceof HTMLInputElement && control.type === 'checkbox') values[name] = control.checked;
    else if (control instanceof HTMLSelectElement && control.multiple)
      values[name] = [...control.selectedOptions].map((o) => o.value);
    else values[name] = control.value;
  }
  return values;
}
