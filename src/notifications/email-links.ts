// Every URL an email points at, built in one place: the hosted pages that answer them live in
// src/pages, and if they move only this file changes.

export interface TenantLinks {
  verifyEmail(token: string): string;
  resetPassword(token: string): string;
  acceptInvitation(token: string): string;
  signIn(): string;
}

export function tenantLinks(baseUrl: string, slug: string): TenantLinks {
  const base = new URL(baseUrl);
  // PUBLIC_URL may carry a path (`https://example.com/iam`); keep it by resolving relative to it.
  if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
  const page = (name: string, token?: string) => {
    const url = new URL(`t/${encodeURIComponent(slug)}/${name}`, base);
    if (token !== undefined) url.search = new URLSearchParams({ token }).toString();
    return url.toString();
  };
  return {
    verifyEmail: (token) => page('verify-email', token),
    resetPassword: (token) => page('reset-password', token),
    acceptInvitation: (token) => page('accept-invitation', token),
    signIn: () => page('sign-in'),
  };
}
