import { ERROR_CATALOGUE, type ErrorCode } from './error-catalogue.ts';

export interface FieldError {
  /** JSON pointer (RFC 6901) into the request part named by `in`. */
  pointer: string;
  message: string;
  in?: 'body' | 'query' | 'path' | 'header';
}

/** An error whose problem body is safe to show to the caller: its `code` decides status and title. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  constructor(code: ErrorCode, detail?: string, headers: Record<string, string> = {}) {
    super(detail ?? ERROR_CATALOGUE[code].title);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.headers = headers;
  }
}

/** A request that failed validation; `errors` lists every offending field. */
export class ValidationError extends AppError {
  readonly errors: readonly FieldError[];
  constructor(
    errors: FieldError[],
    detail = 'The request has invalid fields.',
    code: ErrorCode = 'IAM_ERR_VALIDATION',
  ) {
    super(code, detail);
    this.name = 'ValidationError';
    this.errors = errors;
  }
}

/** A dependency such as the database is unreachable; answered 503, cause logged only. */
export class UnavailableError extends AppError {
  constructor(detail = 'A dependency is unavailable.', retryAfterSeconds = 1) {
    super('IAM_ERR_UNAVAILABLE', detail, { 'retry-after': String(retryAfterSeconds) });
    this.name = 'UnavailableError';
  }
}
