import { h, uid } from '../dom.js';
import { table } from '../list.js';

// Permissions are picked from the service's own catalogue (GET /v1/permissions), grouped by
// resource, so a role or a client is never given a misspelt permission that silently grants nothing.

/** @typedef {{ permission: string, description: string, platform_only: boolean }} CatalogueEntry */

/** @type {Promise<CatalogueEntry[]> | undefined} */
let catalogue;

/** The permission catalogue; it only changes with a release, so it is fetched once. @param {any} api */
export function loadCatalogue(api) {
  catalogue ??= api.get('/v1/permissions').then(
    (/** @type {{ permissions: CatalogueEntry[] }} */ body) => body.permissions,
    (/** @type {unknown} */ error) => {
      catalogue = undefined;
      throw error;
    },
  );
  return catalogue;
}

/** @param {string} permission */
const resourceOf = (permission) => permission.slice(0, permission.indexOf(':'));

/**
 * What a granted permission allows, wildcards included.
 * @param {CatalogueEntry[]} entries @param {string} permission
 */
function describe(entries, permission) {
  if (permission === '*') return 'Every permission.';
  if (permission.endsWith(':*')) return `Every ${resourceOf(permission)} permission.`;
  return entries.find((e) => e.permission === permission)?.description ?? 'Not in the catalogue.';
}

/**
 * Granted permissions as codes, folded away behind their count when there are many.
 * @param {string[]} permissions
 */
export function permissionCodes(permissions) {
  if (permissions.length === 0) return '—';
  const codes = permissions.map((p) => [h('code', {}, p), ' ']);
  if (permissions.length <= 6) return codes;
  return h('details', {}, h('summary', {}, `${permissions.length} permissions`), codes);
}

/**
 * A read-only table of granted permissions and what each allows.
 * @param {CatalogueEntry[]} entries @param {string[]} permissions
 */
export const permissionList = (entries, permissions) =>
  table({
    caption: 'Permissions',
    empty: 'No permissions.',
    columns: [
      { label: 'Permission', value: (p) => h('code', {}, p) },
      { label: 'Allows', value: (p) => describe(entries, p) },
    ],
    rows: permissions,
  });

/**
 * Checkboxes for every catalogue permission, one fieldset per resource, each resource with its
 * `resource:*` wildcard (and, where the API accepts it, `*` for everything). A wildcard covers the
 * permissions under it, so checking it ticks and locks them. Platform-only permissions count in the
 * platform tenant alone and are offered only there (unless already granted, so saving keeps them).
 * @param {{ entries: CatalogueEntry[], selected: string[], platform: boolean, allowAll: boolean }} spec
 */
export function permissionPicker(spec) {
  const chosen = new Set(spec.selected);
  /** @type {Map<string, CatalogueEntry[]>} */
  const byResource = new Map();
  for (const entry of spec.entries) {
    if (entry.platform_only && !spec.platform && !chosen.has(entry.permission)) continue;
    const resource = resourceOf(entry.permission);
    byResource.set(resource, [...(byResource.get(resource) ?? []), entry]);
  }
  const offered = new Set([
    ...spec.entries.map((e) => e.permission),
    ...[...byResource.keys()].map((r) => `${r}:*`),
  ]);
  if (spec.allowAll) offered.add('*');

  /** @type {HTMLInputElement[]} */
  const boxes = [];
  /** @param {string} permission @param {string} text */
  const checkbox = (permission, text) => {
    const id = uid('permission');
    const input = /** @type {HTMLInputElement} */ (
      h('input', { type: 'checkbox', id, value: permission, checked: chosen.has(permission), onchange: sync })
    );
    boxes.push(input);
    return h(
      'div',
      { class: 'field check' },
      input,
      h('label', { for: id }, h('code', {}, permission), ' ', text),
    );
  };

  const groups = [...byResource].map(([resource, entries]) =>
    h(
      'fieldset',
      {},
      h('legend', {}, resource),
      checkbox(`${resource}:*`, `Every ${resource} permission, present and future.`),
      entries.map((e) =>
        checkbox(
          e.permission,
          e.platform_only ? `${e.description} Counts in the platform tenant only.` : e.description,
        ),
      ),
    ),
  );
  const unknown = spec.selected.filter((p) => !offered.has(p));
  const el = h(
    'fieldset',
    { class: 'permissions' },
    h('legend', {}, 'Permissions'),
    spec.allowAll && checkbox('*', 'Every permission, present and future.'),
    groups,
    unknown.length > 0 &&
      h(
        'fieldset',
        {},
        h('legend', {}, 'Not in the catalogue'),
        unknown.map((p) => checkbox(p, 'Granted, but unknown to this service: untick to remove it.')),
      ),
  );

  /** Whether a box is covered by a checked wildcard above it. @param {HTMLInputElement} box */
  function covered(box) {
    const all = boxes.find((b) => b.value === '*');
    if (box !== all && all?.checked) return true;
    if (box.value.endsWith(':*') || box.value === '*') return false;
    return boxes.some((b) => b.checked && b.value === `${resourceOf(box.value)}:*`);
  }

  function sync() {
    for (const box of boxes) {
      box.disabled = covered(box);
      if (box.disabled) box.checked = true;
    }
  }
  sync();

  return Object.assign(el, {
    /** The granted permissions, without those a checked wildcard already covers. */
    value() {
      return boxes.filter((b) => b.checked && !b.disabled).map((b) => b.value);
    },
  });
}

/**
 * Puts a picker into a form made by ui.js's form(), after its last field, so one submit button
 * saves the fields and the permissions together.
 * @param {HTMLFormElement} form @param {HTMLElement} picker
 */
export function withPicker(form, picker) {
  [...form.querySelectorAll(':scope > .field')].at(-1)?.after(picker);
  return form;
}
