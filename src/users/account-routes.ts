import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { problemResponses } from '../http/index.ts';
import type { AccountService } from './account-service.ts';
import { tenantOf } from './user-routes.ts';
import {
  Accepted,
  EmailBody,
  ForgotBody,
  RegisterBody,
  TokenBody,
  TokenPasswordBody,
} from './user-schemas.ts';

const tags = ['users'];
// Flows people follow in a browser: automation user agents are refused (bot filter).
const config = { permission: 'public', botFilter: true };
const problems = problemResponses(400, 403, 404, 422, 429);
// One body for every outcome, so the answer never tells whether an address has an account.
const ACCEPTED = {
  status: 'accepted' as const,
  message: 'If the address can receive it, an email is on its way.',
};

/** Account flows before sign-in: registration and the links sent by email. */
export const accountRoutes: FastifyPluginAsyncTypebox<{
  accounts: AccountService;
  /** The captcha gate of sign-in, which password-forgot shares (login-guards in auth). */
  captchaGate: (request: FastifyRequest, email: string, solution: string | undefined) => Promise<void>;
}> = async (app, { accounts, captchaGate }) => {
  app.post(
    '/t/:tenant/v1/auth/register',
    {
      config: { ...config, rateLimit: 'register' },
      schema: {
        tags,
        summary: 'Register',
        description:
          'Answers 202 with the same body whether or not the address already has an account; an existing owner is told by email instead.',
        body: RegisterBody,
        response: { 202: Accepted, ...problems },
      },
    },
    async (request, reply) => {
      await accounts.register(tenantOf(request), request.body);
      return reply.code(202).send(ACCEPTED);
    },
  );

  app.post(
    '/t/:tenant/v1/auth/verify-email',
    {
      config,
      schema: {
        tags,
        summary: 'Verify an email address',
        description: 'With the single-use token from the verification email; the address is then verified.',
        body: TokenBody,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      await accounts.verifyEmail(tenantOf(request), request.body.token);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/t/:tenant/v1/auth/verify-email/resend',
    {
      config: { ...config, rateLimit: 'email_resend' },
      schema: {
        tags,
        summary: 'Send a new verification email',
        description: 'Always 202.',
        body: EmailBody,
        response: { 202: Accepted, ...problems },
      },
    },
    async (request, reply) => {
      accounts.resendVerification(tenantOf(request), request.body.email);
      return reply.code(202).send(ACCEPTED);
    },
  );

  app.post(
    '/t/:tenant/v1/auth/password/forgot',
    {
      config: { ...config, rateLimit: 'password_forgot' },
      schema: {
        tags,
        summary: 'Request a password reset email',
        description:
          'Always 202 with the same body, answered before any lookup so the timing does not depend on the address.',
        body: ForgotBody,
        response: { 202: Accepted, ...problems },
      },
    },
    async (request, reply) => {
      await captchaGate(request, request.body.email, request.body.captcha);
      accounts.forgotPassword(tenantOf(request), request.body.email);
      return reply.code(202).send(ACCEPTED);
    },
  );

  app.post(
    '/t/:tenant/v1/auth/password/reset',
    {
      config: { ...config, rateLimit: 'password_reset' },
      schema: {
        tags,
        summary: 'Set a new password with a reset link',
        description: 'The link works once; a newer request supersedes it.',
        body: TokenPasswordBody,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      await accounts.resetPassword(tenantOf(request), request.body.token, request.body.password);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/t/:tenant/v1/auth/invitation/accept',
    {
      config,
      schema: {
        tags,
        summary: 'Accept an invitation by setting a password',
        description:
          'With the single-use token from the invitation email; the password must meet the tenant’s policy. The user then signs in as usual.',
        body: TokenPasswordBody,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (request, reply) => {
      await accounts.acceptInvitation(tenantOf(request), request.body.token, request.body.password);
      return reply.code(204).send(null);
    },
  );
};
