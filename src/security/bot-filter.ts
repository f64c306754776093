import { createHash } from 'node:crypto';
import { isbot } from 'isbot';
import { AppError } from '../http/index.ts';
import type { TenantSettings } from '../tenants/index.ts';

// Refuses automation user agents on sign-in and registration. A user agent is a claim, not proof:
// this stops lazy scripts and crawlers cheaply, while the captcha and rate limits stop the rest.

export type BotFilterSettings = TenantSettings['bot_filter'];
export type BlockReason = 'missing_user_agent' | 'automation' | 'tenant_deny';

/** The part of pino's logger this needs (`request.log` fits). */
export interface BotFilterLog {
  info(object: object, message: string): void;
}

export interface BotFilterContext {
  /** The tenant slug, for the counters and the log. */
  tenant?: string;
  log?: BotFilterLog;
}

export interface BlockedCount {
  tenant: string;
  reason: BlockReason;
  count: number;
}

export interface BotFilter {
  /** Throws IAM_ERR_BOT_DETECTED (403) when the tenant's filter refuses this user agent. */
  check(userAgent: string | undefined, settings: BotFilterSettings, context?: BotFilterContext): void;
  /** Refusals since start, per tenant and reason (in-process). */
  blockedCounts(): BlockedCount[];
}

export interface BotFilterOptions {
  /** Used when a call passes no logger of its own. */
  log?: BotFilterLog;
  /** Distinct allow/deny lists kept compiled. */
  maxCachedLists?: number;
  /** Distinct tenant+reason counters kept. */
  maxCounters?: number;
}

/** User-agent characters isbot sees; real browsers send far fewer, and it bounds the cost. */
export const MAX_USER_AGENT_MATCHED = 512;
/** User-agent characters tenant patterns see: fewer, as their cost is only bounded by `validPattern`. */
export const MAX_USER_AGENT_MATCHED_BY_TENANT_PATTERNS = 256;

const MAX_PATTERN_LENGTH = 200;
/** Estimated worst-case backtracking steps of a tenant pattern on one user agent (~0.1 s at most). */
const MAX_PATTERN_WORK = 5e7;

interface Group {
  /** Holds a variable-length quantifier. */
  repeats: boolean;
  /** Holds `*`, `+` or `{n,}`. */
  unbounded: boolean;
  /** Holds an alternation. */
  branches: boolean;
}

const newGroup = (): Group => ({ repeats: false, unbounded: false, branches: false });

/** Index of the last character of the group opener at `i` (`(`, `(?:`, `(?<name>`, `(?<=`, `(?i:`). */
function groupOpenerEnd(source: string, i: number): number {
  if (source[i + 1] !== '?') return i;
  let j = i + 2;
  if (source[j] === '<' && source[j + 1] !== '=' && source[j + 1] !== '!') return source.indexOf('>', j);
  if (source[j] === '<') return j + 1;
  while (j < source.length && !':=!'.includes(source[j] ?? '')) j += 1;
  return j;
}

/** How many lengths a quantifier may take (`*` → as many as there are characters), and whether unbounded. */
function quantifierChoices(source: string, i: number): { choices: number; unbounded: boolean; end: number } {
  const n = MAX_USER_AGENT_MATCHED_BY_TENANT_PATTERNS;
  const c = source[i];
  if (c === '?') return { choices: 2, unbounded: false, end: i };
  if (c !== '{') return { choices: n, unbounded: true, end: i };
  const end = source.indexOf('}', i);
  const [min = '0', max] = source.slice(i + 1, end).split(',');
  if (max === undefined) return { choices: 1, unbounded: false, end };
  if (max.trim() === '') return { choices: n, unbounded: true, end };
  return { choices: Math.min(n, Number(max) - Number(min) + 1), unbounded: false, end };
}

/**
 * A conservative test for patterns that can backtrack badly. Exponential: a repeated group that holds
 * an alternation or a repetition (`(a+)+`, `(a|ab)*`), or a backreference. Polynomial: the worst-case
 * work, start positions times the lengths each quantifier may take, over MAX_PATTERN_WORK — in effect
 * at most two unbounded repetitions (`a*a*a*b` is refused). Some harmless patterns are refused too;
 * the tenant can write them more plainly.
 */
function mayBacktrackBadly(source: string): boolean {
  const stack: Group[] = [newGroup()];
  let work = MAX_USER_AGENT_MATCHED_BY_TENANT_PATTERNS;
  let closed: Group | undefined; // the group that ended just before the current character
  let quantified = false; // the previous character ended a quantifier (so `?` is a lazy marker)
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i] ?? '';
    const top = stack[stack.length - 1] as Group;
    const previous = closed;
    const afterQuantifier = quantified;
    closed = undefined;
    quantified = false;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9k]/.test(next)) return true;
      i += 1;
      // \p{…}, \P{…} and \u{…} carry braces that are not a quantifier.
      if ('pPu'.includes(next) && source[i + 1] === '{') i = source.indexOf('}', i);
    } else if (c === '[') {
      i += 1;
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
    } else if (c === '(') {
      stack.push(newGroup());
      i = groupOpenerEnd(source, i);
    } else if (c === ')') {
      const group = stack.pop() as Group;
      const parent = stack[stack.length - 1] as Group;
      parent.repeats ||= group.repeats;
      parent.unbounded ||= group.unbounded;
      parent.branches ||= group.branches;
      closed = group;
    } else if (c === '|') {
      top.branches = true;
    } else if ('*+{'.includes(c) || (c === '?' && !afterQuantifier)) {
      const { choices, unbounded, end } = quantifierChoices(source, i);
      i = end;
      quantified = true;
      if (choices <= 1) continue;
      const repeated = c !== '?';
      if (
        previous &&
        repeated &&
        (previous.branches || previous.unbounded || (previous.repeats && unbounded))
      )
        return true;
      work *= choices;
      if (work > MAX_PATTERN_WORK) return true;
      top.repeats = true;
      top.unbounded ||= unbounded;
    }
  }
  return false;
}

/**
 * Whether a tenant allow/deny pattern is acceptable: it compiles with the `u` flag, is at most 200
 * characters and cannot backtrack badly. Settings validation uses it to refuse bad patterns.
 */
export function validPattern(source: string): boolean {
  if (typeof source !== 'string' || source.length === 0 || source.length > MAX_PATTERN_LENGTH) return false;
  try {
    new RegExp(source, 'u');
  } catch {
    return false;
  }
  return !mayBacktrackBadly(source);
}

interface CompiledLists {
  allow: RegExp[];
  deny: RegExp[];
}

const DETAILS: Record<BlockReason, string> = {
  missing_user_agent: 'The request has no User-Agent header.',
  automation: 'The user agent identifies automation, which this route does not serve.',
  tenant_deny: 'This user agent is not accepted by the tenant.',
};

function compile(sources: readonly string[]): RegExp[] {
  // Patterns that fail to compile or could backtrack badly are skipped: settings validation refuses
  // them on write, and a stored one must not turn every sign-in into a 500 or a hang.
  return sources.filter(validPattern).map((source) => new RegExp(source, 'u'));
}

/** What the log may hold of the header: a prefix to recognise it and a hash to group by. */
function userAgentHint(userAgent: string): { ua_prefix: string; ua_hash: string } {
  return {
    ua_prefix: userAgent.slice(0, 32),
    ua_hash: createHash('sha256').update(userAgent).digest('hex').slice(0, 12),
  };
}

export function createBotFilter(options: BotFilterOptions = {}): BotFilter {
  const maxCachedLists = options.maxCachedLists ?? 1000;
  const maxCounters = options.maxCounters ?? 10_000;
  // Settings objects are reused per tenant, so identity usually hits; equal contents share the rest.
  const byObject = new WeakMap<BotFilterSettings, CompiledLists>();
  const byContent = new Map<string, CompiledLists>();
  const counts = new Map<string, BlockedCount>();

  function listsOf(settings: BotFilterSettings): CompiledLists {
    const cached = byObject.get(settings);
    if (cached) return cached;
    const key = JSON.stringify([settings.allow, settings.deny]);
    let lists = byContent.get(key);
    if (lists) {
      byContent.delete(key); // re-inserted below: most recently used last
    } else {
      lists = { allow: compile(settings.allow), deny: compile(settings.deny) };
      if (byContent.size >= maxCachedLists) {
        const oldest = byContent.keys().next();
        if (!oldest.done) byContent.delete(oldest.value);
      }
    }
    byContent.set(key, lists);
    byObject.set(settings, lists);
    return lists;
  }

  function count(tenant: string, reason: BlockReason): void {
    const key = `${tenant}\u0000${reason}`;
    const entry = counts.get(key);
    if (entry) entry.count += 1;
    else if (counts.size < maxCounters) counts.set(key, { tenant, reason, count: 1 });
  }

  function reasonToBlock(ua: string, lists: CompiledLists): BlockReason | undefined {
    const head = ua.slice(0, MAX_USER_AGENT_MATCHED_BY_TENANT_PATTERNS);
    if (lists.allow.some((re) => re.test(head))) return undefined;
    if (ua.trim() === '') return 'missing_user_agent';
    if (isbot(ua)) return 'automation';
    if (lists.deny.some((re) => re.test(head))) return 'tenant_deny';
    return undefined;
  }

  return {
    check(userAgent, settings, context = {}) {
      if (!settings.enabled) return;
      const ua = (userAgent ?? '').slice(0, MAX_USER_AGENT_MATCHED);
      const reason = reasonToBlock(ua, listsOf(settings));
      if (!reason) return;
      const tenant = context.tenant ?? '-';
      count(tenant, reason);
      (context.log ?? options.log)?.info(
        { tenant, reason, ...(ua ? userAgentHint(userAgent ?? '') : {}) },
        'bot filter refused request',
      );
      throw new AppError('IAM_ERR_BOT_DETECTED', DETAILS[reason]);
    },

    blockedCounts() {
      return [...counts.values()].map((entry) => ({ ...entry }));
    },
  };
}
