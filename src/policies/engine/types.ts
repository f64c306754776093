// Public shapes of the policy engine. Everything here is plain data so callers
// can store documents as JSON and build requests without engine helpers.

/** A policy document exactly as stored; shape-check it with `validatePolicy` first. */
export type PolicyDocument = unknown;

/** One validation problem; `pointer` is an RFC 6901 JSON pointer into the document. */
export interface ValidationIssue {
  pointer: string;
  message: string;
}

export interface ValidationLimits {
  /** policy-spec §1: size cap, counted without whitespace. Default 10,240. */
  maxChars?: number;
  /** Optional cap on the number of statements. Default: no cap beyond `maxChars`. */
  maxStatements?: number;
}

/** A document plus the id reported in decisions, e.g. 'role:admin' or 'policy:<uuid>@v3'. */
export interface PolicySource {
  id: string;
  document: PolicyDocument;
}

export type ContextScalar = string | number | boolean;
export type ContextValue = ContextScalar | readonly ContextScalar[];

/**
 * Flat, dotted context keys (policy-spec §6), e.g. 'subject.id' or 'request.ip'.
 * Lookup is case-insensitive; lower-case keys take the fastest path.
 * A key that does not apply must be absent: the missing-key rules depend on it.
 */
export type Context = Readonly<Record<string, ContextValue | undefined>>;

export interface AuthzRequest {
  action: string;
  resource: string;
  context: Context;
}

export type Effect = 'Allow' | 'Deny';

export interface MatchedStatement {
  policy: string;
  /** The statement's Sid, or its index in the policy's Statement list. */
  statement: string;
  effect: Effect;
}

export interface Decision {
  decision: 'allow' | 'deny';
  reason: 'allow' | 'explicitDeny' | 'implicitDeny';
  /** The Deny statements that applied (explicitDeny) or the Allow statements that applied (allow). */
  matched: MatchedStatement[];
  /** Set when evaluation failed and the engine failed closed (policy-spec §1). */
  error?: string;
}
