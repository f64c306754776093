import { isLiteralPattern } from './glob.ts';
import { actionMatches, type CompiledStatement } from './statement.ts';

// One compiled policy with its statements indexed by action (policy-spec §7:
// "statements indexed by action so a request only looks at statements that
// can apply"). The statements that can apply to an action are worked out once
// and cached under the action string exactly as requested, so the hot path is
// one Map lookup that neither lower-cases nor allocates. Compiled policies are
// immutable apart from this cache, so one compiled policy (a role, a tenant's
// guardrails) can be shared by every subject that holds it, and its cache
// warms up for all of them.

interface Candidates {
  readonly denies: readonly CompiledStatement[];
  readonly allows: readonly CompiledStatement[];
}

const NONE: Candidates = { denies: [], allows: [] };
// Bounds the cache when callers send unbounded distinct action strings; beyond
// it candidates are recomputed per request (still correct, just slower).
const MAX_CACHED_ACTIONS = 1024;

function addTo(index: Map<string, CompiledStatement[]>, key: string, statement: CompiledStatement): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [statement]);
  else if (list[list.length - 1] !== statement) list.push(statement);
}

/** The service part of a pattern when it is wildcard-free (`user` in `user:get*`). */
function literalService(pattern: string): string | undefined {
  const colon = pattern.indexOf(':');
  if (colon === -1) return undefined;
  const service = pattern.slice(0, colon);
  return isLiteralPattern(service) ? service : undefined;
}

export class CompiledPolicy {
  readonly id: string;
  readonly statements: readonly CompiledStatement[];
  readonly hasDenies: boolean;
  readonly hasAllows: boolean;
  /** Lower-cased wildcard-free action → statements listing it. */
  readonly #exact = new Map<string, CompiledStatement[]>();
  /** Service → statements with a literal service and a wildcard action, e.g. `user:*`. */
  readonly #byService = new Map<string, CompiledStatement[]>();
  /** Everything else (`*`, `*:read`, NotAction): matched against each new action once. */
  readonly #scanned: CompiledStatement[] = [];
  readonly #cache = new Map<string, Candidates>();

  constructor(id: string, statements: readonly CompiledStatement[]) {
    this.id = id;
    this.statements = statements;
    this.hasDenies = statements.some((s) => s.deny);
    this.hasAllows = statements.some((s) => !s.deny);
    for (const statement of statements) this.#index(statement);
  }

  #index(statement: CompiledStatement): void {
    if (statement.notAction) {
      this.#scanned.push(statement);
      return;
    }
    for (const pattern of statement.actionPatterns) {
      const service = literalService(pattern);
      if (isLiteralPattern(pattern)) addTo(this.#exact, pattern, statement);
      else if (service !== undefined) addTo(this.#byService, service, statement);
      else if (this.#scanned[this.#scanned.length - 1] !== statement) this.#scanned.push(statement);
    }
  }

  #collect(action: string): Candidates {
    const lower = action.toLowerCase();
    const colon = lower.indexOf(':');
    const found = new Set<CompiledStatement>(this.#exact.get(lower));
    const byService = colon === -1 ? undefined : this.#byService.get(lower.slice(0, colon));
    for (const statement of byService ?? []) if (actionMatches(statement, lower)) found.add(statement);
    for (const statement of this.#scanned) if (actionMatches(statement, lower)) found.add(statement);
    if (found.size === 0) return NONE;
    // Statement order never changes the decision (§2); it only keeps explanations stable.
    const ordered = [...found].sort((a, b) => a.order - b.order);
    return { denies: ordered.filter((s) => s.deny), allows: ordered.filter((s) => !s.deny) };
  }

  /** The statements whose Action/NotAction matches `action` (§3), split by effect. */
  candidatesFor(action: string): Candidates {
    const cached = this.#cache.get(action);
    if (cached !== undefined) return cached;
    const candidates = this.#collect(action);
    if (this.#cache.size < MAX_CACHED_ACTIONS) this.#cache.set(action, candidates);
    return candidates;
  }
}
