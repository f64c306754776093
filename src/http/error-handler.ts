import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isConnectionFailure } from '../db/index.ts';
import { AppError, type FieldError, UnavailableError } from './app-error.ts';
import type { ErrorCode } from './error-catalogue.ts';
import { buildProblem, PROBLEM_CONTENT_TYPE, type Problem } from './problem.ts';
import { allowedMethods } from './route-index.ts';

type ValidationPart = 'body' | 'querystring' | 'params' | 'headers';
const PART_NAME: Record<ValidationPart, FieldError['in']> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

interface AjvIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns ajv's report into one entry per offending field, pointing at the field itself. */
export function fieldErrors(issues: readonly AjvIssue[], part: ValidationPart): FieldError[] {
  const out = new Map<string, FieldError>();
  for (const issue of issues) {
    let pointer = issue.instancePath;
    let message = issue.message ?? 'is invalid';
    if (issue.keyword === 'required') {
      pointer += `/${String(issue.params.missingProperty)}`;
      message = 'is required';
    } else if (issue.keyword === 'additionalProperties') {
      pointer += `/${String(issue.params.additionalProperty)}`;
      message = 'is not a known field';
    }
    const key = `${pointer}\u0000${message}`;
    if (!out.has(key)) out.set(key, { pointer: pointer || '/', message, in: PART_NAME[part] });
  }
  return [...out.values()];
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'IAM_ERR_MALFORMED_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'IAM_ERR_MALFORMED_REQUEST',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'IAM_ERR_MALFORMED_REQUEST',
  FST_ERR_CTP_BODY_TOO_LARGE: 'IAM_ERR_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'IAM_ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_BAD_URL: 'IAM_ERR_MALFORMED_REQUEST',
};

function toProblem(error: FastifyError | AppError, request: FastifyRequest): Problem {
  const base = { instance: request.url.split('?')[0], request_id: request.id };
  if (error instanceof AppError) {
    const errors = 'errors' in error ? (error.errors as FieldError[]) : undefined;
    return buildProblem(error.code, error.message, { ...base, ...(errors ? { errors } : {}) });
  }
  if (error.validation) {
    const part = (error.validationContext ?? 'body') as ValidationPart;
    return buildProblem('IAM_ERR_VALIDATION', 'The request has invalid fields.', {
      ...base,
      errors: fieldErrors(error.validation as AjvIssue[], part),
    });
  }
  const mapped = error.code ? FASTIFY_CODES[error.code] : undefined;
  if (mapped) return buildProblem(mapped, error.message, base);
  // A JSON parse failure from a custom parser surfaces as a SyntaxError with status 400.
  if (error.statusCode === 400)
    return buildProblem('IAM_ERR_MALFORMED_REQUEST', 'The request could not be parsed.', base);
  if (error.statusCode === 429) return buildProblem('IAM_ERR_RATE_LIMITED', 'Too many requests.', base);
  if (error.statusCode === 503)
    return buildProblem('IAM_ERR_UNAVAILABLE', 'The service is unavailable.', base);
  // Anything else is a bug or an outage: the body stays generic, the cause goes to the log only.
  return buildProblem('IAM_ERR_INTERNAL', 'An unexpected error occurred.', base);
}

export function sendProblem(
  reply: FastifyReply,
  problem: Problem,
  headers: Record<string, string> = {},
): FastifyReply {
  return reply.code(problem.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(problem);
}

/** Registers the one place where errors become RFC 9457 responses, including 404 and 405. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((raw: FastifyError | AppError, request, reply) => {
    // The database away is an outage to wait out, not a bug: 503 with Retry-After (the cause is logged).
    const error = isConnectionFailure(raw) ? new UnavailableError('The database is unavailable.') : raw;
    if (error !== raw) request.log.error({ err: raw }, 'database unavailable');
    const problem = toProblem(error, request);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: problem.code, status: problem.status }, 'request refused');
    return sendProblem(reply, problem, error instanceof AppError ? { ...error.headers } : {});
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allow = allowedMethods(app, path);
    const base = { instance: path, request_id: request.id };
    if (allow.length > 0) {
      return sendProblem(
        reply,
        buildProblem('IAM_ERR_METHOD_NOT_ALLOWED', `${request.method} is not allowed on this path.`, base),
        { allow: allow.join(', ') },
      );
    }
    return sendProblem(reply, buildProblem('IAM_ERR_NOT_FOUND', 'No route matches this path.', base));
  });
}
