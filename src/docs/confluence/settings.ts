// Settings of the Confluence publisher, read from an environment given by the caller (the script
// passes process.env); the service's config module is not involved because this is a build tool.

export type ConfluenceAuth =
  | { kind: 'basic'; user: string; token: string }
  | { kind: 'bearer'; token: string };

export type ConfluenceSettings = {
  baseUrl: string;
  spaceKey: string;
  parentPageId: string | undefined;
  auth: ConfluenceAuth;
  titlePrefix: string;
  repositoryUrl: string | undefined;
};

export class ConfluenceSettingsError extends Error {
  override name = 'ConfluenceSettingsError';
}

type Env = Record<string, string | undefined>;

const value = (env: Env, key: string): string | undefined => {
  const raw = env[key]?.trim();
  return raw ? raw : undefined;
};

function readAuth(env: Env, problems: string[]): ConfluenceAuth | undefined {
  const bearer = value(env, 'CONFLUENCE_BEARER_TOKEN');
  if (bearer) return { kind: 'bearer', token: bearer };
  const user = value(env, 'CONFLUENCE_USER');
  const token = value(env, 'CONFLUENCE_API_TOKEN');
  if (user && token) return { kind: 'basic', user, token };
  if (user) problems.push('CONFLUENCE_API_TOKEN is missing (CONFLUENCE_USER is set)');
  else if (token) problems.push('CONFLUENCE_USER is missing (CONFLUENCE_API_TOKEN is set)');
  else
    problems.push(
      'credentials are missing: set CONFLUENCE_USER and CONFLUENCE_API_TOKEN (Atlassian Cloud) or CONFLUENCE_BEARER_TOKEN (Data Center personal access token)',
    );
  return undefined;
}

function readBaseUrl(env: Env, problems: string[]): string | undefined {
  const raw = value(env, 'CONFLUENCE_BASE_URL');
  if (!raw) {
    problems.push('CONFLUENCE_BASE_URL is missing (e.g. https://example.atlassian.net/wiki)');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`CONFLUENCE_BASE_URL is not a URL: ${raw}`);
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push(`CONFLUENCE_BASE_URL must be an http(s) URL: ${raw}`);
    return undefined;
  }
  // The REST paths are appended to it, so a trailing slash would double up.
  return raw.replace(/\/+$/, '');
}

export function readConfluenceSettings(env: Env): ConfluenceSettings {
  const problems: string[] = [];
  const baseUrl = readBaseUrl(env, problems);
  const spaceKey = value(env, 'CONFLUENCE_SPACE_KEY');
  if (!spaceKey) problems.push('CONFLUENCE_SPACE_KEY is missing');
  const parentPageId = value(env, 'CONFLUENCE_PARENT_PAGE_ID');
  if (parentPageId && !/^\d+$/.test(parentPageId)) {
    problems.push(`CONFLUENCE_PARENT_PAGE_ID must be a numeric page id: ${parentPageId}`);
  }
  const auth = readAuth(env, problems);
  if (problems.length > 0 || !baseUrl || !spaceKey || !auth) {
    throw new ConfluenceSettingsError(`invalid Confluence settings:\n  - ${problems.join('\n  - ')}`);
  }
  return {
    baseUrl,
    spaceKey,
    parentPageId,
    auth,
    // Not trimmed: a prefix such as "Gatehouse: " carries its own separator.
    titlePrefix: env.CONFLUENCE_TITLE_PREFIX ?? '',
    repositoryUrl: value(env, 'DOCS_REPOSITORY_URL')?.replace(/\/+$/, ''),
  };
}

export function authorizationHeader(auth: ConfluenceAuth): string {
  if (auth.kind === 'bearer') return `Bearer ${auth.token}`;
  return `Basic ${Buffer.from(`${auth.user}:${auth.token}`, 'utf8').toString('base64')}`;
}
