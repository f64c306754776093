// The few calls of Confluence's v1 REST API the publisher needs. v1 (`/rest/api/content`) is served by
// both Atlassian Cloud and Data Center, unlike v2, so one client works for both.
import { setTimeout as delay } from 'node:timers/promises';
import { isRetryableStatus, type RetryPolicy, retryDelayMs } from './retry.ts';

export type ConfluencePage = {
  id: string;
  title: string;
  version: { number: number; message?: string };
  body?: { storage?: { value: string } };
  ancestors?: Array<{ id: string }>;
};

export type PageContent = {
  spaceKey: string;
  title: string;
  parentId: string | undefined;
  storage: string;
  // Version comment shown in the page history (updates only).
  message: string;
};

export type ConfluenceClient = {
  findPage(spaceKey: string, title: string): Promise<ConfluencePage | undefined>;
  createPage(content: PageContent): Promise<ConfluencePage>;
  updatePage(id: string, version: number, content: PageContent): Promise<ConfluencePage>;
};

export class ConfluenceHttpError extends Error {
  override name = 'ConfluenceHttpError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export type ClientOptions = {
  baseUrl: string;
  authorization: string;
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
};

// Confluence's error body is `{ message, data: { errors: [{ message: { translation } }] } }`; proxies
// and login pages answer HTML, of which a short prefix is enough to recognise them.
function describeBody(text: string): string {
  try {
    const body = JSON.parse(text) as {
      message?: unknown;
      data?: { errors?: Array<{ message?: { translation?: unknown; key?: unknown } }> };
    };
    const details = (body.data?.errors ?? [])
      .map((error) => error.message?.translation ?? error.message?.key)
      .filter((detail): detail is string => typeof detail === 'string' && detail !== body.message);
    const parts = [typeof body.message === 'string' ? body.message : '', ...details].filter(Boolean);
    if (parts.length > 0) return parts.join('; ');
  } catch {
    // not JSON
  }
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}

const contentBody = (content: PageContent) => ({
  type: 'page',
  title: content.title,
  space: { key: content.spaceKey },
  ...(content.parentId ? { ancestors: [{ id: content.parentId }] } : {}),
  body: { storage: { value: content.storage, representation: 'storage' } },
});

export function createConfluenceClient(options: ClientOptions): ConfluenceClient {
  const policy: RetryPolicy = {
    attempts: 5,
    baseDelayMs: 1000,
    maxDelayMs: 60_000,
    sleep: (ms) => delay(ms),
    ...options.retry,
  };
  const fetchImpl = options.fetch ?? fetch;

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${options.baseUrl}${path}`;
    const what = `Confluence ${method} ${path.replace(/\?.*$/, '')}`;
    for (let attempt = 0; ; attempt++) {
      const last = attempt + 1 >= policy.attempts;
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method,
          headers: {
            authorization: options.authorization,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          // A redirect means a wrong base URL (typically the login page); following it would turn
          // into a confusing JSON parse error on an HTML page.
          redirect: 'manual',
        });
      } catch (error) {
        if (last) {
          // fetch reports "fetch failed"; the reason (refused, DNS, TLS) is in its cause.
          const cause = (error as Error).cause;
          const reason = cause instanceof Error ? cause.message : (error as Error).message;
          throw new Error(`${what} failed: ${reason} (is CONFLUENCE_BASE_URL reachable?)`);
        }
        await policy.sleep(retryDelayMs(attempt, null, policy));
        continue;
      }
      const text = await response.text();
      if (response.ok) {
        try {
          return JSON.parse(text) as T;
        } catch {
          throw new Error(
            `${what} answered ${response.status} without JSON (is CONFLUENCE_BASE_URL right?): ${describeBody(text)}`,
          );
        }
      }
      if (isRetryableStatus(response.status) && !last) {
        await policy.sleep(retryDelayMs(attempt, response.headers.get('retry-after'), policy));
        continue;
      }
      const location = response.headers.get('location');
      const hint =
        response.status === 401
          ? ' (check CONFLUENCE_USER/CONFLUENCE_API_TOKEN or CONFLUENCE_BEARER_TOKEN)'
          : location
            ? ` (redirected to ${location}; check CONFLUENCE_BASE_URL)`
            : '';
      throw new ConfluenceHttpError(
        response.status,
        `${what} failed: ${response.status} ${response.statusText}${hint}: ${describeBody(text) || '(empty body)'}`,
      );
    }
  }

  return {
    async findPage(spaceKey, title) {
      const query = new URLSearchParams({
        spaceKey,
        title,
        type: 'page',
        expand: 'body.storage,version,ancestors',
      });
      const found = await request<{ results?: ConfluencePage[] }>('GET', `/rest/api/content?${query}`);
      return found.results?.[0];
    },
    createPage(content) {
      // No version on create: Confluence makes it version 1, and not every release takes a comment here.
      return request('POST', '/rest/api/content', contentBody(content));
    },
    updatePage(id, version, content) {
      return request('PUT', `/rest/api/content/${encodeURIComponent(id)}`, {
        id,
        ...contentBody(content),
        version: { number: version, message: content.message },
      });
    },
  };
}
