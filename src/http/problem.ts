import { Type } from 'typebox';
import type { FieldError } from './app-error.ts';
import { ERROR_CATALOGUE, type ErrorCode } from './error-catalogue.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** RFC 9457 §3 problem details, with this service's `code` and `errors` extension members. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URI identifying the problem type.' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable IAM_ERR_* code; see docs/errors.md.' }),
    instance: Type.Optional(Type.String()),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          pointer: Type.String({ description: 'JSON pointer (RFC 6901) to the offending field.' }),
          message: Type.String(),
          in: Type.Optional(Type.String()),
        }),
      ),
    ),
  },
  { description: 'RFC 9457 problem details.' },
);

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  request_id?: string;
  errors?: readonly FieldError[];
}

export function problemType(code: ErrorCode): string {
  return `urn:gatehouse:problem:${code}`;
}

export function buildProblem(code: ErrorCode, detail: string, extra: Partial<Problem> = {}): Problem {
  const entry = ERROR_CATALOGUE[code];
  return { type: problemType(code), title: entry.title, status: entry.status, detail, code, ...extra };
}
