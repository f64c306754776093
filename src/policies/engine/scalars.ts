// Parsing of Numeric and Bool values, shared by policy values (parsed once on
// compile) and request-context values (parsed per evaluation).

// policy-spec §5: "numeric comparison of integers or decimals; numeric strings allowed".
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A finite number, or undefined when the value is not an integer or decimal. */
export function parseNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !DECIMAL.test(value)) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** policy-spec §5: Bool takes "true"/"false" or JSON booleans, compared as booleans. */
export function parseBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}
