import { type FieldError, ValidationError } from '../http/index.ts';
import { type ChangeMembersBody, MAX_MEMBERSHIP_IDS, type MembershipResult } from './group-schemas.ts';

/** A membership change with lowercase ids, each listed once, in the order first sent. */
export interface MembershipRequest {
  add: string[];
  remove: string[];
}

export interface MembershipOutcome {
  user_id: string;
  result: MembershipResult;
}

function distinct(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => id.toLowerCase()))];
}

/**
 * Checks what the schema cannot express: the two lists together hold 1 to MAX_MEMBERSHIP_IDS ids,
 * and no id is both added and removed (the outcome would depend on an order nobody asked for).
 */
export function toMembershipRequest(body: ChangeMembersBody): MembershipRequest {
  const add = body.add ?? [];
  const remove = body.remove ?? [];
  const total = add.length + remove.length;
  if (total === 0) {
    throw new ValidationError(
      [{ pointer: '/add', message: 'add or remove must name at least one user', in: 'body' }],
      'The request names no user.',
    );
  }
  if (total > MAX_MEMBERSHIP_IDS) {
    throw new ValidationError(
      [
        {
          pointer: '/',
          message: `add and remove together hold more than ${MAX_MEMBERSHIP_IDS} ids`,
          in: 'body',
        },
      ],
      `At most ${MAX_MEMBERSHIP_IDS} user ids per request.`,
    );
  }
  const request = { add: distinct(add), remove: distinct(remove) };
  const adding = new Set(request.add);
  const both: FieldError[] = [];
  remove.forEach((id, index) => {
    if (adding.has(id.toLowerCase()))
      both.push({ pointer: `/remove/${index}`, message: 'is also listed in add', in: 'body' });
  });
  if (both.length > 0) throw new ValidationError(both, 'A user cannot be added and removed at once.');
  return request;
}

/** One outcome per requested id: additions first, then removals, each in the order sent. */
export function membershipOutcomes(
  request: MembershipRequest,
  live: ReadonlySet<string>,
  added: ReadonlySet<string>,
  removed: ReadonlySet<string>,
): MembershipOutcome[] {
  return [
    ...request.add.map((id) => ({
      user_id: id,
      result: (!live.has(id) ? 'not_found' : added.has(id) ? 'added' : 'already_member') as MembershipResult,
    })),
    ...request.remove.map((id) => ({
      user_id: id,
      result: (!live.has(id) ? 'not_found' : removed.has(id) ? 'removed' : 'not_member') as MembershipResult,
    })),
  ];
}
