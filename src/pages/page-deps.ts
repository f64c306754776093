import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoginGuards } from '../auth/index.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/index.ts';
import type { MfaLogin, MfaService } from '../mfa/index.ts';
import type { Authorizer } from '../policies/index.ts';
import type { ClientInfo, SessionService } from '../tokens/index.ts';
import type {
  AccountService,
  PasswordHasher,
  SelfService,
  UserDirectory,
  UserService,
} from '../users/index.ts';
import type { PageSession } from './page-session.ts';
import type { SignedInPages } from './signed-in.ts';

/** The services the pages use: the very ones behind the API (`createServices` provides them all). */
export interface PageServices {
  hasher: PasswordHasher;
  sessions: SessionService;
  mfa: MfaService;
  mfaLogin: MfaLogin;
  guards: LoginGuards;
  accounts: AccountService;
  users: UserService;
  self: SelfService;
  /** With `authorizer`: the permission checks the API makes, asked for the page session's user. */
  subjects: UserDirectory;
  authorizer: Authorizer;
}

export interface PageOptions {
  services: PageServices;
  database: Database;
  clock: Clock;
  /** PUBLIC_URL: the only origin the pages accept form posts from, and whether cookies are Secure. */
  publicUrl: string;
}

/** What every page route needs, built once by the plugin. */
export interface PageContext extends PageOptions {
  session: PageSession;
  signedIn: SignedInPages;
}

export const clientOf = (request: FastifyRequest): ClientInfo => ({
  ip: request.ip,
  userAgent: request.headers['user-agent'] ?? null,
});

/** The tenant of a `/t/{tenant}/…` page with its settings, as the services take it. */
export const tenantOf = (request: FastifyRequest) => ({
  ...request.tenant!,
  settings: request.tenantSettings,
});

/** The hooks every page POST carries (form-guard.ts): origin before the body, CSRF token after. */
export interface FormGuards {
  onRequest: (request: FastifyRequest) => Promise<void>;
  preHandler: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
}

/** Route options of a form POST that checks a second-factor code: the MFA bucket limits it. */
export const mfaFormPost = (guards: FormGuards) =>
  ({
    config: { permission: 'public', rateLimit: 'mfa_verify' },
    schema: { hide: true },
    ...guards,
  }) as const;
