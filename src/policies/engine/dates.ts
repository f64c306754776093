// Date values for the Date* operators (policy-spec §5): W3C ISO 8601 with
// offsets and fractions, or epoch time. Instants are returned as integer epoch
// MICROseconds so every form compares exactly on one scale (finer fractions are
// rounded; microseconds up to year 2255 stay far below 2^53).
//
// Epoch values are SECONDS (UNIX time, like aws:EpochTime), per the spec's
// [inference] note; a JSON number or an all-digit string is epoch seconds.
// ISO text needs at least a full calendar date; a time without an offset is
// read as UTC.

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const EPOCH = /^[+-]?\d+(?:\.\d+)?$/;
const DAY_US = 86_400_000_000;
const SECOND_US = 1_000_000;

/** Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Offset in minutes east of UTC, or undefined when out of range. */
function offsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function parseIso(text: string): number | undefined {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const [, ys, mos, ds, hs = '0', mis = '0', ss = '0', fraction, zone] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = Number(hs);
  const minute = Number(mis);
  const second = Number(ss);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const offset = offsetMinutes(zone);
  if (offset === undefined) return undefined;
  const fractionUs = fraction === undefined ? 0 : Math.round(Number(`0.${fraction}`) * SECOND_US);
  const secondsOfDay = (hour * 60 + minute - offset) * 60 + second;
  return daysFromCivil(year, month, day) * DAY_US + secondsOfDay * SECOND_US + fractionUs;
}

const fromEpochSeconds = (seconds: number): number | undefined =>
  Number.isFinite(seconds) ? Math.round(seconds * SECOND_US) : undefined;

/** Epoch microseconds for an ISO 8601 string or epoch seconds; undefined if unparsable. */
export function parseDate(value: unknown): number | undefined {
  if (typeof value === 'number') return fromEpochSeconds(value);
  if (typeof value !== 'string') return undefined;
  if (EPOCH.test(value)) return fromEpochSeconds(Number(value));
  return parseIso(value);
}
