import { tenantPath } from '../api.js';
import { h, replace, uid } from '../dom.js';
import { announce, heading, problemBox } from '../ui.js';
import { mergePatch } from './setting-patch.js';

// The tenant's settings as one form: a fieldset per section, a typed control per setting. The
// controls come from the settings' JSON schema in the API's own OpenAPI document (types, choices,
// ranges, descriptions), so a setting added to the service appears here without a console change;
// should that document be out of reach, the current values' types still give every field. Saving
// sends a JSON merge patch of the changed settings only, and each validation error lands next to
// the field its JSON pointer names.

/** How the API reads back a stored secret (GET /t/{tenant}/v1/settings). */
const MASK = '********';

/** @type {Record<string, string>} */
const ACRONYMS = { mfa: 'MFA', ttl: 'TTL', url: 'URL', ip: 'IP', cors: 'CORS' };

/** `access_token_ttl_seconds` → "Access token TTL seconds". @param {string} key */
function humanize(key) {
  const words = key.split('_').map((w) => ACRONYMS[w] ?? w);
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** @type {Promise<any> | undefined} */
let schemaPromise;

/**
 * The settings' JSON schema, served beside the console's files; null when it cannot be had (the
 * form then falls back to the values' types).
 */
function loadSchema() {
  schemaPromise ??= fetch(new URL('../../settings-schema.json', import.meta.url)).then(
    (res) => (res.ok ? res.json() : null),
    () => {
      schemaPromise = undefined;
      return null;
    },
  );
  return schemaPromise;
}

/** A union of string literals (or an enum) as its choices. @param {any} schema @returns {string[] | null} */
function choices(schema) {
  if (Array.isArray(schema?.enum)) return schema.enum.map(String);
  const branches = schema?.anyOf ?? schema?.oneOf;
  if (!Array.isArray(branches) || branches.length === 0) return null;
  if (!branches.every((b) => Array.isArray(b.enum) || 'const' in b)) return null;
  return branches.flatMap((b) => (Array.isArray(b.enum) ? b.enum : [b.const])).map(String);
}

/** The JSON type a setting has, from its schema or else its value. @param {any} schema @param {unknown} value */
function typeOf(schema, value) {
  const declared = schema?.type ?? schema?.anyOf?.find((/** @type {any} */ b) => b.type !== 'null')?.type;
  if (typeof declared === 'string') return declared;
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A schema description as plain text (they mark names with backticks). @param {unknown} text */
const plain = (text) => (typeof text === 'string' ? text.replace(/`/g, '') : '');

/**
 * @typedef {{ node: HTMLElement, read: () => unknown }} Built
 * @typedef {{ control?: HTMLElement, error: HTMLElement }} Slot
 */

/**
 * @param {{ settings: Record<string, any>, schema: any, save: (patch: Record<string, unknown>) => Promise<unknown> }} spec
 */
function settingsForm(spec) {
  /** Where each setting's errors go, by JSON pointer. @type {Map<string, Slot>} */
  const slots = new Map();

  /**
   * One setting: its label, control, hint and error.
   * @param {string} key @param {string} pointer @param {any} schema @param {any} value
   * @returns {Built}
   */
  function leaf(key, pointer, schema, value) {
    const id = uid('setting');
    const hintId = `${id}-hint`;
    const error = h('span', { id: `${id}-error`, class: 'field-error' });
    const hints = [plain(schema?.description)];
    const common = { id, name: pointer, 'aria-describedby': `${hintId} ${id}-error` };
    const type = typeOf(schema, value);
    const options = choices(schema);
    /** @type {HTMLElement} */
    let control;
    /** @type {() => unknown} */
    let read;
    if (options) {
      const select = /** @type {HTMLSelectElement} */ (
        h(
          'select',
          common,
          options.map((o) => h('option', { value: o, selected: o === value }, o)),
        )
      );
      control = select;
      read = () => select.value;
    } else if (type === 'boolean') {
      const box = /** @type {HTMLInputElement} */ (
        h('input', { ...common, type: 'checkbox', checked: value === true })
      );
      control = box;
      read = () => box.checked;
    } else if (type === 'integer' || type === 'number') {
      const input = /** @type {HTMLInputElement} */ (
        h('input', {
          ...common,
          type: 'number',
          inputmode: type === 'integer' ? 'numeric' : 'decimal',
          step: type === 'integer' ? '1' : 'any',
          min: schema?.minimum,
          max: schema?.maximum,
          value: value ?? '',
        })
      );
      if (schema?.minimum !== undefined && schema?.maximum !== undefined)
        hints.push(`From ${schema.minimum} to ${schema.maximum}.`);
      if (schema?.default !== undefined) hints.push(`Empty restores the default, ${schema.default}.`);
      control = input;
      // An empty field is null, which the merge patch reads as "back to the default".
      read = () => (input.value === '' ? null : Number(input.value));
    } else if (type === 'array') {
      const area = /** @type {HTMLTextAreaElement} */ (
        h('textarea', { ...common, rows: 3, spellcheck: 'false' })
      );
      area.value = Array.isArray(value) ? value.join('\n') : '';
      hints.push('One per line.');
      control = area;
      read = () =>
        area.value
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean);
    } else if (/secret/.test(key) || value === MASK) {
      // Write-only: the stored secret is never shown; an empty field keeps it.
      const input = /** @type {HTMLInputElement} */ (
        h('input', { ...common, type: 'password', value: '', autocomplete: 'new-password' })
      );
      hints.push(value ? 'A secret is stored; leave empty to keep it.' : 'None is stored.');
      control = input;
      read = () => (input.value === '' ? undefined : input.value);
    } else {
      const input = /** @type {HTMLInputElement} */ (
        h('input', { ...common, type: 'text', value: value ?? '', autocomplete: 'off' })
      );
      control = input;
      read = () => input.value;
    }
    slots.set(pointer, { control, error });
    const label = h('label', { for: id }, humanize(key));
    const hint = h('span', { id: hintId, class: 'hint' }, hints.filter(Boolean).join(' '));
    const node =
      type === 'boolean' && !options
        ? h('div', { class: 'field check' }, control, label, hint, error)
        : h('div', { class: 'field' }, label, control, hint, error);
    return { node, read };
  }

  /**
   * A section (or a sub-section such as one rate-limit bucket) as a fieldset. An optional section
   * left entirely empty reads as null: not set, the service's default applies.
   * @param {string} legend @param {string} pointer @param {any} schema @param {any} value
   * @param {boolean} optional
   * @returns {Built}
   */
  function section(legend, pointer, schema, value, optional) {
    const children = members(pointer, schema, value);
    const error = h('span', { class: 'field-error' });
    slots.set(pointer, { error });
    const description = plain(schema?.description);
    const node = h(
      'fieldset',
      {},
      h('legend', {}, legend),
      (description || optional) &&
        h(
          'p',
          { class: 'hint' },
          description,
          optional && ' Leave every field empty for the service default.',
        ),
      children.map(([, built]) => built.node),
      error,
    );
    return {
      node,
      read() {
        /** @type {Record<string, unknown>} */
        const out = {};
        for (const [key, built] of children) out[key] = built.read();
        if (optional && Object.values(out).every((v) => v === null || v === undefined)) return null;
        return out;
      },
    };
  }

  /**
   * The settings inside an object, in the schema's order, then any the schema does not know.
   * @param {string} pointer @param {any} schema @param {any} value
   * @returns {[string, Built][]}
   */
  function members(pointer, schema, value) {
    const keys = [...new Set([...Object.keys(schema?.properties ?? {}), ...Object.keys(value ?? {})])];
    // Without a schema, whatever has a value counts as required: nothing can be unset.
    const required = new Set(schema ? (schema.required ?? []) : Object.keys(value ?? {}));
    return keys.map((key) => {
      const inner = schema?.properties?.[key];
      const at = `${pointer}/${key}`;
      const current = value?.[key];
      const built =
        typeOf(inner, current) === 'object' && !choices(inner)
          ? section(humanize(key), at, inner, current, !required.has(key))
          : leaf(key, at, inner, current);
      return /** @type {[string, Built]} */ ([key, built]);
    });
  }

  // Top-level settings that are single values (the MFA mode) share a "General" fieldset; every
  // object is its own fieldset.
  const top = members('', spec.schema, spec.settings);
  const scalars = top.filter(([, built]) => built.node.tagName !== 'FIELDSET');
  const problem = h('div', {});
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Save settings');
  const el = h(
    'form',
    { novalidate: true },
    scalars.length > 0 &&
      h(
        'fieldset',
        {},
        h('legend', {}, 'General'),
        scalars.map(([, b]) => b.node),
      ),
    top.filter(([, built]) => built.node.tagName === 'FIELDSET').map(([, b]) => b.node),
    problem,
    h('div', { class: 'actions' }, submit),
  );

  function clearErrors() {
    replace(problem);
    for (const slot of slots.values()) {
      replace(slot.error);
      slot.control?.removeAttribute('aria-invalid');
    }
  }

  /**
   * Puts each error next to the setting its pointer names, or the closest section containing it
   * (`/cors/allowed_origins/2` lands on the allowed-origins field).
   * @param {{ pointer: string, message: string }[]} errors
   */
  function placeErrors(errors) {
    /** @type {HTMLElement | undefined} */
    let first;
    for (const { pointer, message } of errors) {
      let at = String(pointer);
      while (at && !slots.has(at)) at = at.slice(0, at.lastIndexOf('/'));
      const slot = slots.get(at);
      if (!slot) continue;
      replace(slot.error, slot.error.textContent ? `${slot.error.textContent} ` : '', message);
      slot.control?.setAttribute('aria-invalid', 'true');
      first ??= slot.control;
    }
    first?.focus();
  }

  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    // A number field holding something unparsable reads as empty, which would restore the default.
    const unreadable = [...slots]
      .filter(([, slot]) => slot.control instanceof HTMLInputElement && slot.control.validity.badInput)
      .map(([pointer]) => ({ pointer, message: 'Enter a number, or leave it empty for the default.' }));
    if (unreadable.length > 0) return placeErrors(unreadable);
    /** @type {Record<string, unknown>} */
    const after = {};
    for (const [key, built] of top) after[key] = built.read();
    const patch = mergePatch(spec.settings, after);
    if (Object.keys(patch).length === 0) return announce('Nothing changed.');
    submit.disabled = true;
    try {
      await spec.save(patch);
    } catch (error) {
      replace(problem, problemBox(error));
      placeErrors(/** @type {any} */ (error)?.errors ?? []);
    } finally {
      submit.disabled = false;
    }
  });
  return el;
}

/** @param {any} ctx */
async function render(ctx) {
  const path = tenantPath(ctx.slug, '/settings');
  const [settings, schema] = await Promise.all([ctx.api.get(path), loadSchema()]);
  const holder = h('div', {});
  /** @param {Record<string, any>} current */
  const show = (current) => {
    const form = settingsForm({
      settings: current,
      schema,
      async save(patch) {
        const updated = await ctx.api.patch(path, patch);
        // The saved values (defaults restored included) replace the form; focus stays on Save.
        show(updated).querySelector('button[type="submit"]')?.focus();
        announce(`Settings saved: ${Object.keys(patch).map(humanize).join(', ')}.`);
      },
    });
    replace(holder, form);
    return form;
  };
  show(settings);
  ctx.main.append(
    heading('Settings'),
    h(
      'p',
      {},
      'Only the settings you change are sent; they apply on every server within a second. An empty number field restores its default.',
    ),
    holder,
  );
}

export const routes = [{ path: '/t/:slug/settings', title: 'Settings', render }];
