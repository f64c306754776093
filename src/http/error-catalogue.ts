// The one catalogue of problem codes (RFC 9457 `code` extension member). docs/errors.md is generated
// from it and a test fails when they differ, so a code is never renamed or reused once published.
export interface ErrorEntry {
  status: number;
  title: string;
  /** What happened, for the caller. */
  meaning: string;
  /** What the caller should do about it. */
  action: string;
}

const entry = (status: number, title: string, meaning: string, action: string): ErrorEntry => ({
  status,
  title,
  meaning,
  action,
});

export const ERROR_CATALOGUE = {
  IAM_ERR_MALFORMED_REQUEST: entry(
    400,
    'Malformed request',
    'The body is not valid JSON (or the declared content), or a header or parameter cannot be parsed.',
    'Fix the request syntax; do not retry it unchanged.',
  ),
  IAM_ERR_INVALID_CURSOR: entry(
    400,
    'Invalid cursor',
    'The `cursor` query parameter was not produced by this list endpoint.',
    'Restart the listing without a cursor, then follow `next_cursor` or the `Link` header.',
  ),
  IAM_ERR_UNAUTHENTICATED: entry(
    401,
    'Authentication required',
    'The request carries no credentials, or they are not valid (expired, revoked, malformed or signed by another issuer).',
    'Obtain a fresh access token and send it as `Authorization: Bearer <token>`.',
  ),
  IAM_ERR_INVALID_CREDENTIALS: entry(
    401,
    'Invalid credentials',
    'The email and password do not identify an active account that may sign in here.',
    'Check the credentials. The response deliberately does not say which part was wrong.',
  ),
  IAM_ERR_FORBIDDEN: entry(
    403,
    'Forbidden',
    'The caller is authenticated but lacks the permission the operation requires.',
    'Ask an administrator for the permission named in `detail`.',
  ),
  IAM_ERR_WRONG_PASSWORD: entry(
    403,
    'Wrong password',
    'The current password sent to confirm a sensitive change (password change, account deletion) is not correct.',
    'Ask the user for their current password again.',
  ),
  IAM_ERR_TENANT_SUSPENDED: entry(
    403,
    'Tenant suspended',
    'The tenant exists but is suspended: nobody can sign in or use its tokens.',
    'Contact the platform operator to reactivate the tenant.',
  ),
  IAM_ERR_NOT_FOUND: entry(
    404,
    'Not found',
    'No route matches this path.',
    'Check the URL against docs/openapi.json.',
  ),
  IAM_ERR_TENANT_NOT_FOUND: entry(
    404,
    'Tenant not found',
    'No active or suspended tenant has this slug.',
    'Check the tenant slug in the URL.',
  ),
  IAM_ERR_METHOD_NOT_ALLOWED: entry(
    405,
    'Method not allowed',
    'The path exists but does not accept this HTTP method; the `Allow` header lists the ones it does.',
    'Use one of the methods in `Allow`.',
  ),
  IAM_ERR_TENANT_SLUG_TAKEN: entry(
    409,
    'Tenant slug taken',
    'Another tenant (possibly deleted and awaiting purge) already uses this slug.',
    'Choose another slug.',
  ),
  IAM_ERR_TENANT_PROTECTED: entry(
    409,
    'Tenant protected',
    'The platform tenant cannot be suspended, deleted or renamed.',
    'Operate on another tenant.',
  ),
  IAM_ERR_PAYLOAD_TOO_LARGE: entry(
    413,
    'Payload too large',
    'The request body exceeds BODY_LIMIT_BYTES.',
    'Send a smaller body, or split the work into several requests.',
  ),
  IAM_ERR_UNSUPPORTED_MEDIA_TYPE: entry(
    415,
    'Unsupported media type',
    'The `Content-Type` is not one this endpoint accepts.',
    'Send `application/json` (or the form encoding the endpoint documents).',
  ),
  IAM_ERR_VALIDATION: entry(
    422,
    'Validation failed',
    'The request is well-formed but some fields are missing, unknown, of the wrong type or out of range; `errors[]` names each by JSON pointer.',
    'Correct each field listed in `errors[]`.',
  ),
  IAM_ERR_TENANT_SLUG_RESERVED: entry(
    422,
    'Tenant slug reserved',
    'The slug is reserved for the service itself.',
    'Choose another slug.',
  ),
  IAM_ERR_RATE_LIMITED: entry(
    429,
    'Too many requests',
    'The caller exceeded a rate limit.',
    'Wait for the number of seconds in `Retry-After` before retrying.',
  ),
  IAM_ERR_PRECONDITION_FAILED: entry(
    412,
    'Precondition failed',
    'The `If-Match` header does not match the current version (`ETag`) of the resource: someone changed it since it was read.',
    'Read the resource again, reapply the change, and send it with the new `ETag`.',
  ),
  IAM_ERR_USER_NOT_FOUND: entry(
    404,
    'User not found',
    'No user with this id exists in this tenant (ids of other tenants are never found).',
    'Check the user id.',
  ),
  IAM_ERR_GROUP_NOT_FOUND: entry(
    404,
    'Group not found',
    'No group with this id exists in this tenant.',
    'Check the group id.',
  ),
  IAM_ERR_GROUP_NAME_TAKEN: entry(
    409,
    'Group name taken',
    'Another group of this tenant has this name (compared case-insensitively).',
    'Choose another name.',
  ),
  IAM_ERR_EMAIL_TAKEN: entry(
    409,
    'Email taken',
    'Another live user of this tenant has this email address (compared case-insensitively).',
    'Use another address, or update the existing user.',
  ),
  IAM_ERR_WEAK_PASSWORD: entry(
    422,
    'Password rejected',
    "The new password breaks the tenant's password policy; `errors[]` names the rule (too short, too long, common, contains the email).",
    'Choose a longer, uncommon passphrase.',
  ),
  IAM_ERR_REGISTRATION_DISABLED: entry(
    403,
    'Registration disabled',
    'This tenant does not allow self-service registration.',
    'Ask an administrator of the tenant for an invitation.',
  ),
  IAM_ERR_LINK_INVALID: entry(
    400,
    'Link invalid',
    'The verification, reset or invitation token is unknown (mistyped, or from another tenant).',
    'Request a new email.',
  ),
  IAM_ERR_LINK_EXPIRED: entry(
    400,
    'Link expired',
    'The verification, reset or invitation token has expired.',
    'Request a new email.',
  ),
  IAM_ERR_LINK_USED: entry(
    400,
    'Link already used',
    'The verification, reset or invitation token was already used.',
    'Request a new email if needed.',
  ),
  IAM_ERR_LINK_SUPERSEDED: entry(
    400,
    'Link superseded',
    'A newer email of the same kind was requested, which cancelled this one.',
    'Use the link in the most recent email.',
  ),
  IAM_ERR_RESTORE_EXPIRED: entry(
    409,
    'Restore window passed',
    "The user was deleted longer ago than the tenant's retention period and is awaiting purge.",
    'Create the user again.',
  ),
  IAM_ERR_ROLE_NOT_FOUND: entry(
    404,
    'Role not found',
    'No role with this id exists in this tenant.',
    'Check the role id.',
  ),
  IAM_ERR_ROLE_NAME_TAKEN: entry(
    409,
    'Role name taken',
    'Another role of this tenant has this name.',
    'Choose another name.',
  ),
  IAM_ERR_ROLE_PROTECTED: entry(
    409,
    'System role',
    'System roles (`admin`, `user`, `auditor`) cannot be changed or deleted.',
    'Create a custom role instead.',
  ),
  IAM_ERR_POLICY_NOT_FOUND: entry(
    404,
    'Policy not found',
    'No policy with this id (or version) exists in this tenant.',
    'Check the policy id and version.',
  ),
  IAM_ERR_POLICY_NAME_TAKEN: entry(
    409,
    'Policy name taken',
    'Another policy of this tenant has this name.',
    'Choose another name.',
  ),
  IAM_ERR_POLICY_INVALID: entry(
    422,
    'Invalid policy document',
    'The policy document breaks the policy grammar; `errors[]` names each offending JSON pointer and rule.',
    'Fix each listed element (see docs/policies.md).',
  ),
  IAM_ERR_POLICY_LIMIT: entry(
    422,
    'Policy limit reached',
    "The tenant's cap on policies, or on policies attached to one role, group or user, would be exceeded.",
    'Detach or delete policies, or merge them.',
  ),
  IAM_ERR_SESSION_NOT_FOUND: entry(
    404,
    'Session not found',
    'No live session with this id exists for this user.',
    'List the sessions again.',
  ),
  IAM_ERR_CLIENT_NOT_FOUND: entry(
    404,
    'Client not found',
    'No service client with this id exists in this tenant.',
    'Check the client id.',
  ),
  IAM_ERR_MFA_ENROLLMENT_REQUIRED: entry(
    403,
    'MFA enrolment required',
    'The tenant requires a second factor and this session has not enrolled one: its token serves only the TOTP enrolment routes.',
    'Enrol an authenticator (POST /me/mfa/totp, then /me/mfa/totp/confirm), then refresh the token.',
  ),
  IAM_ERR_PASSWORD_CHANGE_REQUIRED: entry(
    403,
    'Password change required',
    "The password has passed the tenant's maximum age: this session's token serves only the password change.",
    'Change the password with POST /me/password, then refresh the token.',
  ),
  IAM_ERR_MFA_DISABLED: entry(
    403,
    'MFA disabled',
    'The tenant has turned second factors off, so none can be enrolled or used.',
    'Ask the tenant administrator to set the MFA mode to `optional` or `required`.',
  ),
  IAM_ERR_MFA_REQUIRED_BY_TENANT: entry(
    409,
    'MFA required by the tenant',
    'The tenant requires a second factor, so it cannot be turned off.',
    'Enrol a new authenticator instead (it replaces the current one once confirmed).',
  ),
  IAM_ERR_MFA_NOT_ENROLLED: entry(
    409,
    'No authenticator enrolled',
    'The operation needs an active TOTP authenticator (or a pending one, for confirmation) and there is none.',
    'Start an enrolment with POST /me/mfa/totp.',
  ),
  IAM_ERR_MFA_CODE_INVALID: entry(
    401,
    'Invalid code',
    'The one-time code or recovery code is wrong, expired, or was already used.',
    'Enter the current code from the authenticator app (or an unused recovery code).',
  ),
  IAM_ERR_MFA_TOKEN_INVALID: entry(
    401,
    'Invalid MFA token',
    'The `mfa_token` is unknown, expired, already used, or spent by too many wrong codes.',
    'Sign in again with the password to get a new `mfa_token`.',
  ),
  IAM_ERR_MFA_TOO_MANY_ATTEMPTS: entry(
    429,
    'Too many MFA attempts',
    'Too many wrong second-factor codes were entered for this account recently.',
    'Wait for the period in `Retry-After`, then sign in again.',
  ),
  IAM_ERR_WEBHOOK_NOT_FOUND: entry(
    404,
    'Webhook not found',
    'No webhook endpoint with this id exists in this tenant.',
    'Check the id; list the endpoints with GET /webhooks.',
  ),
  IAM_ERR_WEBHOOK_URL_REFUSED: entry(
    422,
    'Webhook URL refused',
    'The URL is not https, or its host is a private, loopback or link-local address.',
    'Use a public https:// endpoint.',
  ),
  IAM_ERR_DEAD_LETTER_NOT_FOUND: entry(
    404,
    'Dead letter not found',
    'No dead letter with this id is visible to the caller.',
    'Check the id; list the dead letters with GET /v1/dead-letters.',
  ),
  IAM_ERR_CAPTCHA_REQUIRED: entry(
    400,
    'Captcha required',
    'Too many failed sign-ins for this account or address: this request needs a solved captcha.',
    'Fetch a challenge from GET /t/{tenant}/v1/captcha/challenge (or use the provider named in the problem), solve it and send the solution as `captcha`.',
  ),
  IAM_ERR_CAPTCHA_INVALID: entry(
    400,
    'Captcha invalid',
    'The captcha solution is wrong, expired or was already used.',
    'Fetch and solve a new challenge.',
  ),
  IAM_ERR_BOT_DETECTED: entry(
    403,
    'Automated client refused',
    'The user agent is missing or identifies automation, which this route does not serve.',
    "Send the real browser's User-Agent, or ask the tenant administrator to allow your client.",
  ),
  IAM_ERR_ACCOUNT_LOCKED: entry(
    429,
    'Account temporarily locked',
    'Too many failed sign-ins in a row for this email address; sign-in is paused for it.',
    'Wait for the number of seconds in `Retry-After`, or reset the password.',
  ),
  IAM_ERR_PASSWORD_LOGIN_DISABLED: entry(
    403,
    'Password sign-in disabled',
    'This tenant does not allow signing in with a password.',
    "Use the tenant's other sign-in methods.",
  ),
  IAM_ERR_JOB_NOT_FOUND: entry(
    404,
    'Job not found',
    'No scheduled job has this name.',
    'List the jobs with GET /v1/jobs.',
  ),
  IAM_ERR_JOB_RUNNING: entry(
    409,
    'Job already running',
    'The job is running now (here or on another process); it is not started twice.',
    'Wait for the run to finish, then try again; GET /v1/jobs/{name}/runs shows it.',
  ),
  IAM_ERR_CSRF: entry(
    403,
    'Cross-site request refused',
    'A cookie-authenticated request came without its CSRF token, with a wrong one, or from an origin the tenant does not list.',
    'Send the `csrf_token` from the sign-in (or the last refresh) in the `X-CSRF-Token` header, from an allowed origin.',
  ),
  IAM_ERR_INTERNAL: entry(
    500,
    'Internal error',
    'The server failed unexpectedly; the cause is logged with the request id.',
    'Retry later; report the `X-Request-Id` if it persists.',
  ),
  IAM_ERR_UNAVAILABLE: entry(
    503,
    'Service unavailable',
    'A dependency (database, cache or queue) is unreachable, the request timed out, or the server is shutting down.',
    'Retry later with backoff; honour `Retry-After` when present.',
  ),
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
