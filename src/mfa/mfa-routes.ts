import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type TSchema, Type } from 'typebox';
import { BEARER, noContent, problemResponses, ValidationError } from '../http/index.ts';
import type { TokenResponse } from '../tokens/index.ts';
import type { FactorAnswer } from './code-check.ts';
import type { MfaLogin } from './mfa-login.ts';
import {
  ConfirmBody,
  DisableBody,
  EnrolBody,
  EnrolmentView,
  MfaStatusView,
  RecoveryCodesView,
  VerifyBody,
} from './mfa-schemas.ts';
import type { MfaService, MfaTenant } from './mfa-service.ts';

const tags = ['mfa'];
const security = BEARER;
// Routes a session restricted to enrolment may still call (tenant MFA mode `required`).
const enrolment = { restricted: ['mfa_enrollment'] as const };

const tenantOf = (request: FastifyRequest): MfaTenant => ({
  ...request.tenant!,
  settings: request.tenantSettings,
});

/** The answer in a body: exactly one of `code` and `recovery_code` (none allowed when optional). */
function answerOf(
  body: { code?: string; recovery_code?: string },
  optional = false,
): FactorAnswer | undefined {
  const { code, recovery_code: recovery } = body;
  if (code !== undefined && recovery !== undefined)
    throw new ValidationError([
      { pointer: '/recovery_code', message: 'Give either code or recovery_code, not both.', in: 'body' },
    ]);
  if (code !== undefined) return { code };
  if (recovery !== undefined) return { recovery_code: recovery };
  if (optional) return undefined;
  throw new ValidationError([
    { pointer: '/code', message: 'A code or a recovery_code is required.', in: 'body' },
  ]);
}

const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** TOTP enrolment and use: `/me/mfa…` for the user, `/users/{id}/mfa` for administrators, the sign-in step. */
export const mfaRoutes: FastifyPluginAsyncTypebox<{
  mfa: MfaService;
  login: MfaLogin;
  /** Answers the tokens of a completed sign-in, in the body or with the session cookie (auth module). */
  deliver: (
    request: FastifyRequest,
    reply: FastifyReply,
    tokens: TokenResponse,
    mode: 'body' | 'cookie' | undefined,
  ) => unknown;
  /** The answer schema of a completed sign-in. */
  tokenSchema: TSchema;
}> = async (app, { mfa, login, deliver, tokenSchema }) => {
  app.get(
    '/t/:tenant/v1/me/mfa',
    {
      config: { permission: 'self:read' },
      schema: {
        tags,
        security,
        summary: 'My second factor',
        description:
          "The tenant's MFA mode, whether an authenticator is enrolled, and the recovery codes left.",
        response: { 200: MfaStatusView, ...problemResponses(401, 403) },
      },
    },
    async (request) => mfa.status(tenantOf(request), request.auth!.subject),
  );

  app.post(
    '/t/:tenant/v1/me/mfa/totp',
    {
      config: { permission: 'self:update', ...enrolment },
      // A first enrolment has nothing to send: an absent body is the empty object.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags,
        security,
        summary: 'Start a TOTP enrolment',
        description:
          'Creates a pending authenticator: a 160-bit secret, its otpauth:// key URI and QR code. It replaces the enrolled one only once confirmed; replacing needs a code or recovery code of the current one.',
        body: EnrolBody,
        response: { 201: EnrolmentView, ...problemResponses(401, 403, 422) },
      },
    },
    async (request, reply) => {
      const answer = answerOf(request.body, true);
      const view = await mfa.enrol(tenantOf(request), request.auth!.subject, answer);
      return reply.code(201).headers(noStore).send(view);
    },
  );

  app.post(
    '/t/:tenant/v1/me/mfa/totp/confirm',
    {
      config: { permission: 'self:update', ...enrolment },
      schema: {
        tags,
        security,
        summary: 'Confirm a TOTP enrolment',
        description:
          'Activates the pending authenticator with a current code and returns ten recovery codes, shown once. A session restricted to enrolment becomes a full one at its next refresh.',
        body: ConfirmBody,
        response: { 200: RecoveryCodesView, ...problemResponses(401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const codes = await mfa.confirm(tenantOf(request), request.auth!, request.body.code);
      return reply.headers(noStore).send({ recovery_codes: codes });
    },
  );

  app.delete(
    '/t/:tenant/v1/me/mfa/totp',
    {
      config: { permission: 'self:update' },
      schema: {
        tags,
        security,
        summary: 'Turn my second factor off',
        description:
          'Needs the password and a current code or recovery code. Refused when the tenant requires MFA.',
        body: DisableBody,
        response: { 204: noContent('Turned off.'), ...problemResponses(401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const { password, ...rest } = request.body;
      await mfa.disable(tenantOf(request), request.auth!.subject, password, answerOf(rest)!);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/t/:tenant/v1/me/mfa/recovery-codes',
    {
      config: { permission: 'self:update' },
      schema: {
        tags,
        security,
        summary: 'New recovery codes',
        description:
          'Replaces every recovery code with ten new ones (shown once); needs a current TOTP code.',
        body: ConfirmBody,
        response: { 200: RecoveryCodesView, ...problemResponses(401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const codes = await mfa.regenerateRecoveryCodes(
        tenantOf(request),
        request.auth!.subject,
        request.body.code,
      );
      return reply.headers(noStore).send({ recovery_codes: codes });
    },
  );

  app.delete(
    '/t/:tenant/v1/users/:id/mfa',
    {
      config: { permission: 'user:update', escalation: 'target-user' },
      schema: {
        tags,
        security,
        summary: "Reset a user's second factor",
        description:
          'Removes the authenticator and recovery codes of a user who lost them; the user is told by email and signs in with the password alone (or enrols again where MFA is required).',
        params: Type.Object({ tenant: Type.String(), id: Type.String({ maxLength: 64 }) }),
        response: { 204: noContent('Reset.'), ...problemResponses(401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await mfa.resetByAdmin(request.tenant!.id, request.params.id, request.auth!.subject);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/t/:tenant/v1/auth/mfa/verify',
    {
      // The mfa_token in the body is the credential: opaque, single-use, good for this route only.
      config: { permission: 'public', botFilter: true, rateLimit: 'mfa_verify' },
      schema: {
        tags: ['auth'],
        summary: 'Complete a sign-in with a second factor',
        description:
          'Exchanges the `mfa_token` of a sign-in and a TOTP code (amr `["pwd","otp"]`) or a recovery code (amr `["pwd","rc"]`) for the tokens. Wrong codes count against the token and the account.',
        body: VerifyBody,
        response: { 200: tokenSchema, ...problemResponses(401, 403, 422, 429) },
      },
    },
    async (request, reply) => {
      const { mfa_token: token, refresh_token_delivery: mode, ...rest } = request.body;
      const client = { ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
      const tokens = await login.verify(tenantOf(request), token, answerOf(rest)!, client);
      return reply.send(deliver(request, reply, tokens, mode));
    },
  );
};
