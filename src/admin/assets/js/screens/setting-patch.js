// The edit forms send only what the administrator changed, so two administrators editing different
// fields of the same thing do not overwrite each other, and the event log records the real change.

/** @param {unknown} value @returns {value is Record<string, unknown>} */
const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The JSON merge patch (RFC 7396) that turns `before` into `after`: objects are compared key by
 * key, any other value (arrays included) is replaced whole. A key `after` leaves undefined is kept;
 * a null restores the server's default, and is dropped where `before` had nothing either.
 * @param {Record<string, unknown>} before @param {Record<string, unknown>} after
 * @returns {Record<string, unknown>}
 */
export function mergePatch(before, after) {
  /** @type {Record<string, unknown>} */
  const patch = {};
  for (const [key, value] of Object.entries(after)) {
    const old = before?.[key];
    if (value === undefined || (value === null && old === undefined)) continue;
    if (isObject(value) && isObject(old)) {
      const inner = mergePatch(old, value);
      if (Object.keys(inner).length > 0) patch[key] = inner;
    } else if (JSON.stringify(value) !== JSON.stringify(old)) {
      patch[key] = value;
    }
  }
  return patch;
}
