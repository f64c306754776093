// RFC 6901 JSON pointers, used so every validation issue names the exact
// offending element (policy-spec §7: 422 `errors[]` carry JSON pointers).

export type PathSegment = string | number;

const escapeSegment = (segment: PathSegment): string =>
  String(segment).replaceAll('~', '~0').replaceAll('/', '~1');

export function toPointer(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) out += `/${escapeSegment(segment)}`;
  return out;
}
