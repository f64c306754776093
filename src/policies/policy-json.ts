import type { FastifyInstance } from 'fastify';
import { AppError, type FieldError, ValidationError } from '../http/index.ts';
import { parsePolicyJson } from './engine/index.ts';
import { policyInvalid } from './policy-document.ts';

/**
 * policy-spec §1: "An element must not repeat a key". Fastify's JSON parser (JSON.parse) keeps
 * the last of two duplicates without a word, so `{"Effect": "Deny", "Effect": "Allow"}` would be
 * stored as an Allow; once parsed, the duplicate cannot be seen any more. Routes that take policy
 * documents therefore parse their JSON bodies with the engine's duplicate-aware parser instead.
 * Registered inside a plugin, the parser replaces the JSON parser for that plugin's routes only.
 *
 * A duplicate inside a policy document (`isPolicyPointer`) is a 422 `IAM_ERR_POLICY_INVALID`;
 * one elsewhere in the body (two `name`s) is a 422 `IAM_ERR_VALIDATION`; text that is not JSON
 * is a 400 `IAM_ERR_MALFORMED_REQUEST`, as on every other route.
 */
export function parseJsonStrictly(app: FastifyInstance, isPolicyPointer: (pointer: string) => boolean): void {
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const { document, issues } = parsePolicyJson(String(body));
    if (document === undefined) {
      done(new AppError('IAM_ERR_MALFORMED_REQUEST', `The body is not JSON: ${issues[0]?.message ?? ''}`));
      return;
    }
    if (issues.length === 0) {
      done(null, document);
      return;
    }
    const errors: FieldError[] = issues.map(({ pointer, message }) => ({ pointer, message, in: 'body' }));
    done(
      errors.every((error) => isPolicyPointer(error.pointer))
        ? policyInvalid(errors)
        : new ValidationError(errors, 'The body repeats a key.'),
    );
  });
}
