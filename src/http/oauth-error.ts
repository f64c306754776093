/**
 * An error of the OAuth 2.0 endpoints, answered in RFC 6749 §5.2 form (`error`,
 * `error_description`) rather than as a problem, because OAuth client libraries expect that shape.
 */
export class OAuthError extends Error {
  readonly error: string;
  readonly status: number;
  /** `WWW-Authenticate` value for 401 answers (RFC 6749 §5.2). */
  challenge?: string;
  constructor(
    error:
      | 'invalid_request'
      | 'invalid_client'
      | 'invalid_grant'
      | 'unauthorized_client'
      | 'unsupported_grant_type'
      | 'invalid_scope'
      | 'unsupported_token_type'
      | 'server_error'
      | 'temporarily_unavailable',
    description: string,
    status?: number,
  ) {
    super(description);
    this.name = 'OAuthError';
    this.error = error;
    this.status =
      status ??
      (error === 'invalid_client'
        ? 401
        : error === 'server_error'
          ? 500
          : error === 'temporarily_unavailable'
            ? 503
            : 400);
  }
}
