import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { globSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createConfluenceClient } from '../../src/docs/confluence/client.ts';
import { loadDocSet } from '../../src/docs/confluence/doc-set.ts';
import { normaliseStorage } from '../../src/docs/confluence/normalise.ts';
import { renderPages } from '../../src/docs/confluence/pages.ts';
import { isUnchanged, publishPages, sourceMarker } from '../../src/docs/confluence/publisher.ts';
import { authorizationHeader, readConfluenceSettings } from '../../src/docs/confluence/settings.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = join(REPO_ROOT, 'scripts/publish-confluence.ts');
const SPACE = 'GATE';
const PARENT = '4242';
const BASIC = authorizationHeader({ kind: 'basic', user: 'docs-bot@example.com', token: 'secret-token' });

// ---------------------------------------------------------------------------------------------
// A small XML well-formedness check (no XML parser among the dependencies): balanced and properly
// nested elements, quoted attributes without duplicates, only XML's own entities, CDATA and
// comments closed, namespace prefixes declared, nothing after the root element.

const NAME = '[A-Za-z_][\\w.-]*(?::[A-Za-z_][\\w.-]*)?';
const TAG = new RegExp(`<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`, 'y');
const ATTRIBUTE = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, 'g');
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;
const PREFIXES = new Set(['ac', 'ri', 'xmlns']);

function checkEntities(text: string, where: string): void {
  for (let at = text.indexOf('&'); at >= 0; at = text.indexOf('&', at + 1)) {
    ENTITY.lastIndex = at;
    assert.ok(ENTITY.test(text), `bad entity ${where}: ${text.slice(at, at + 20)}`);
  }
}

function checkPrefix(name: string, where: string): void {
  const prefix = name.includes(':') ? name.slice(0, name.indexOf(':')) : undefined;
  assert.ok(prefix === undefined || PREFIXES.has(prefix), `undeclared prefix in ${name} ${where}`);
}

function assertWellFormed(fragment: string, label = 'storage'): void {
  const xml = `<root xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier">${fragment}</root>`;
  const stack: string[] = [];
  let i = 0;
  while (i < xml.length) {
    const where = `in ${label} at ${i}: …${xml.slice(Math.max(0, i - 40), i + 40)}…`;
    assert.ok(i === 0 || stack.length > 0, `content after the root element ${where}`);
    if (xml.startsWith('<![CDATA[', i)) {
      const end = xml.indexOf(']]>', i + 9);
      assert.ok(end >= 0, `unterminated CDATA ${where}`);
      i = end + 3;
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i + 4);
      assert.ok(end >= 0, `unterminated comment ${where}`);
      i = end + 3;
    } else if (xml[i] === '<') {
      TAG.lastIndex = i;
      const match = TAG.exec(xml);
      assert.ok(match, `malformed tag ${where}`);
      const [whole, closing, name = '', attributes = '', selfClosing] = match;
      checkPrefix(name, where);
      const seen = new Set<string>();
      for (const [, attribute = '', double, single] of attributes.matchAll(ATTRIBUTE)) {
        assert.ok(!seen.has(attribute), `duplicate attribute ${attribute} ${where}`);
        seen.add(attribute);
        checkPrefix(attribute, where);
        checkEntities(double ?? single ?? '', where);
      }
      if (closing) {
        assert.ok(!attributes.trim() && !selfClosing, `malformed end tag ${where}`);
        const open = stack.pop();
        assert.equal(open, name, `</${name}> closes <${open}> ${where}`);
      } else if (!selfClosing) {
        stack.push(name);
      }
      i += whole.length;
    } else if (xml[i] === '&') {
      ENTITY.lastIndex = i;
      const match = ENTITY.exec(xml);
      assert.ok(match, `bad entity ${where}`);
      i += match[0].length;
    } else {
      assert.ok(!xml.startsWith(']]>', i), `]]> in text ${where}`);
      i++;
    }
  }
  assert.deepEqual(stack, [], `unclosed elements in ${label}`);
}

// The text a code macro carries: its CDATA sections concatenated.
function macroBodies(storage: string, language: string): string[] {
  const pattern = new RegExp(
    `<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">${language}</ac:parameter><ac:plain-text-body>(.*?)</ac:plain-text-body></ac:structured-macro>`,
    'gs',
  );
  return [...storage.matchAll(pattern)].map(([, body = '']) =>
    [...body.matchAll(/<!\[CDATA\[(.*?)\]\]>/gs)].map(([, text]) => text).join(''),
  );
}

// ---------------------------------------------------------------------------------------------
// Fixture docs: three small pages and one non-doc file, in a throw-away repository folder.

const GUIDE = `# Guide

Intro: [users](users.md), [signing in](users.md#signing-in), [the table](#a-table),
[source](../src/thing.ts), [site](https://example.com/?a=1&b=2) and A & B < C &copy; 2025.

\`\`\`mermaid
flowchart LR
  a --> b
\`\`\`

## A table

| name | value |
|---|---|
| \`x\` | 1<br>2 |
| **bold** | [ref](reference.md) |

\`\`\`js
const end = "]]>";
\`\`\`

- item one
- item \`two\`

1. first
2. second
`;

const USERS = `# Users

## Signing in

Back to the [guide](guide.md).
`;

const REFERENCE = 'A page without a heading; see [the guide table](./guide.md#a-table).\n';

function writeFixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'gatehouse-confluence-'));
  mkdirSync(join(root, 'docs'));
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'docs/guide.md'), GUIDE);
  writeFileSync(join(root, 'docs/users.md'), USERS);
  writeFileSync(join(root, 'docs/reference.md'), REFERENCE);
  writeFileSync(join(root, 'src/thing.ts'), 'export {};\n');
  return root;
}

function render(root: string, options: { titlePrefix?: string; repositoryUrl?: string } = {}) {
  const docs = loadDocSet({
    repoRoot: root,
    docsDir: join(root, 'docs'),
    titlePrefix: options.titlePrefix ?? '',
  });
  return renderPages(docs, options.repositoryUrl);
}

const storageOf = (pages: ReturnType<typeof render>, path: string) => {
  const page = pages.find((candidate) => candidate.path === path);
  assert.ok(page, path);
  return page.storage;
};

// ---------------------------------------------------------------------------------------------
// A fake Confluence: the v1 content endpoints over an in-memory space, checking every call.

type StoredPage = {
  id: string;
  title: string;
  spaceKey: string;
  ancestors: Array<{ id: string }>;
  storage: string;
  version: number;
  message: string | undefined;
};

type Call = { method: string; path: string; query: URLSearchParams; body: unknown; authorization: string };

type FakeConfluence = {
  baseUrl: string;
  pages: Map<string, StoredPage>;
  calls: Call[];
  problems: string[];
  // Canned answers served (first in, first out) before normal handling.
  failures: Array<{ status: number; retryAfter?: string; body?: string }>;
  authorization: string;
  writes(): Call[];
  reset(): void;
  close(): Promise<void>;
};

const pageJson = (page: StoredPage) => ({
  id: page.id,
  type: 'page',
  status: 'current',
  title: page.title,
  space: { key: page.spaceKey },
  version: { number: page.version, ...(page.message === undefined ? {} : { message: page.message }) },
  body: { storage: { value: page.storage, representation: 'storage' } },
  ancestors: page.ancestors,
});

// What Confluence Cloud does to a stored body: macro ids, schema versions and link versions appear.
const confluenceRewrite = (storage: string) =>
  storage
    .replaceAll('<ac:structured-macro ac:name="code">', () => {
      return `<ac:structured-macro ac:name="code" ac:schema-version="1" ac:macro-id="${crypto.randomUUID()}">`;
    })
    .replaceAll(
      /<ri:page ri:content-title="([^"]*)" \/>/g,
      '<ri:page ri:content-title="$1" ri:version-at-save="1"/>',
    );

const readBody = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const send = (
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(typeof body === 'string' ? body : JSON.stringify(body));
};

type ContentBody = {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  space?: { key?: unknown };
  ancestors?: unknown;
  body?: { storage?: { value?: unknown; representation?: unknown } };
  version?: { number?: unknown; message?: unknown };
};

type CheckedContent = ContentBody & { title: string; body: { storage: { value: string } } };

// Records every way the body differs from what Confluence expects; false when it cannot be stored.
function checkContent(body: unknown, problem: (text: string) => void): body is CheckedContent {
  if (typeof body !== 'object' || body === null) {
    problem('body is not a JSON object');
    return false;
  }
  const content = body as ContentBody;
  if (content.type !== 'page') problem(`type is ${content.type}`);
  if (content.space?.key !== SPACE) problem(`space.key is ${content.space?.key}`);
  if (JSON.stringify(content.ancestors) !== JSON.stringify([{ id: PARENT }])) {
    problem(`ancestors are ${JSON.stringify(content.ancestors)}`);
  }
  if (content.body?.storage?.representation !== 'storage') problem('representation is not storage');
  const storage = content.body?.storage?.value;
  if (typeof content.title !== 'string' || !content.title || typeof storage !== 'string') {
    problem('title or storage value missing');
    return false;
  }
  try {
    assertWellFormed(storage, content.title);
  } catch (error) {
    problem(`storage is not well-formed: ${(error as Error).message}`);
  }
  return true;
}

async function startFakeConfluence(authorization = BASIC): Promise<FakeConfluence> {
  let nextId = 1000;
  const fake: FakeConfluence = {
    baseUrl: '',
    pages: new Map(),
    calls: [],
    problems: [],
    failures: [],
    authorization,
    writes: () => fake.calls.filter((call) => call.method !== 'GET'),
    reset() {
      fake.calls.length = 0;
      fake.problems.length = 0;
      fake.failures.length = 0;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://confluence.test');
    const text = await readBody(request);
    let body: unknown;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        fake.problems.push(`${request.method} ${url.pathname}: body is not JSON`);
        return send(response, 400, { statusCode: 400, message: 'Unexpected token' });
      }
    }
    const call = {
      method: request.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      body,
      authorization: request.headers.authorization ?? '',
    };
    fake.calls.push(call);
    const problem = (what: string) => fake.problems.push(`${call.method} ${call.path}: ${what}`);

    if (call.authorization !== fake.authorization) {
      problem(`authorization header is "${call.authorization}"`);
      return send(response, 401, { statusCode: 401, message: 'Unauthorized' });
    }
    const failure = fake.failures.shift();
    if (failure) {
      const headers: Record<string, string> = failure.retryAfter ? { 'retry-after': failure.retryAfter } : {};
      return send(
        response,
        failure.status,
        failure.body ?? { statusCode: failure.status, message: 'Slow down' },
        headers,
      );
    }
    if (request.headers.accept !== 'application/json') problem('accept is not application/json');

    if (call.method === 'GET' && call.path === '/wiki/rest/api/content') {
      const expand = (call.query.get('expand') ?? '').split(',');
      for (const wanted of ['body.storage', 'version', 'ancestors']) {
        if (!expand.includes(wanted)) problem(`expand lacks ${wanted}`);
      }
      if (call.query.get('spaceKey') !== SPACE) problem(`spaceKey is ${call.query.get('spaceKey')}`);
      const title = call.query.get('title');
      if (!title) problem('title missing');
      const results = [...fake.pages.values()]
        .filter((page) => page.spaceKey === call.query.get('spaceKey') && page.title === title)
        .map(pageJson);
      return send(response, 200, { results, start: 0, limit: 25, size: results.length });
    }
    if (request.headers['content-type'] !== 'application/json')
      problem('content-type is not application/json');

    if (call.method === 'POST' && call.path === '/wiki/rest/api/content') {
      if (!checkContent(body, problem)) return send(response, 400, { statusCode: 400, message: 'Bad body' });
      if (body.version !== undefined) problem('a new page is sent with a version');
      if ([...fake.pages.values()].some((page) => page.title === body.title)) {
        problem(`created "${body.title}" twice`);
        return send(response, 400, {
          statusCode: 400,
          message: `A page with this title already exists: A page already exists with the title ${body.title} in this space`,
        });
      }
      const page: StoredPage = {
        id: String(nextId++),
        title: body.title,
        spaceKey: SPACE,
        ancestors: body.ancestors as StoredPage['ancestors'],
        storage: confluenceRewrite(body.body.storage.value),
        version: 1,
        // The first version carries no comment (hence no source marker), so the second run has
        // to recognise the unchanged pages by their rewritten bodies.
        message: undefined,
      };
      fake.pages.set(page.id, page);
      return send(response, 200, pageJson(page));
    }
    const id = /^\/wiki\/rest\/api\/content\/(\d+)$/.exec(call.path)?.[1];
    if (call.method === 'PUT' && id) {
      const page = fake.pages.get(id);
      if (!page) return send(response, 404, { statusCode: 404, message: `No content found with id ${id}` });
      if (!checkContent(body, problem)) return send(response, 400, { statusCode: 400, message: 'Bad body' });
      if (body.id !== id) problem(`body id is ${body.id}`);
      if (body.version?.number !== page.version + 1) {
        problem(`version ${body.version?.number} after ${page.version}`);
        return send(response, 409, { statusCode: 409, message: 'Version must be incremented on update.' });
      }
      Object.assign(page, {
        title: body.title,
        ancestors: body.ancestors as StoredPage['ancestors'],
        storage: confluenceRewrite(body.body.storage.value),
        version: page.version + 1,
        message: typeof body.version?.message === 'string' ? body.version.message : undefined,
      });
      return send(response, 200, pageJson(page));
    }
    problem('unexpected call');
    return send(response, 404, { statusCode: 404, message: 'Not found' });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      fake.problems.push(`fake crashed: ${error.stack}`);
      send(response, 500, { statusCode: 500, message: 'fake crashed' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wiki`;
  return fake;
}

async function publish(
  fake: FakeConfluence,
  root: string,
  options: {
    dryRun?: boolean;
    sleeps?: number[];
    authorization?: string;
    titlePrefix?: string;
    docsDir?: string;
  } = {},
) {
  const docs = loadDocSet({
    repoRoot: root,
    docsDir: options.docsDir ?? join(root, 'docs'),
    titlePrefix: options.titlePrefix ?? '',
  });
  const client = createConfluenceClient({
    baseUrl: fake.baseUrl,
    authorization: options.authorization ?? BASIC,
    // Record the waits instead of sleeping through them.
    retry: { sleep: async (ms) => void options.sleeps?.push(ms) },
  });
  return publishPages(renderPages(docs, undefined), {
    client,
    spaceKey: SPACE,
    parentId: PARENT,
    dryRun: options.dryRun ?? false,
  });
}

type ScriptResult = { code: number | null; stdout: string; stderr: string };

// Asynchronous on purpose: the fake Confluence runs in this process and must keep answering.
function runScript(args: string[], env: Record<string, string>): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// ---------------------------------------------------------------------------------------------

describe('Confluence storage format', () => {
  let root: string;
  before(() => {
    root = writeFixture();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('titles come from the first heading, else the file name, with the optional prefix', () => {
    assert.deepEqual(
      render(root).map((page) => [page.path, page.title]),
      [
        ['docs/guide.md', 'Guide'],
        ['docs/reference.md', 'reference'],
        ['docs/users.md', 'Users'],
      ],
    );
    const prefixed = render(root, { titlePrefix: 'Gatehouse: ' });
    assert.deepEqual(
      prefixed.map((page) => page.title),
      ['Gatehouse: Guide', 'Gatehouse: reference', 'Gatehouse: Users'],
    );
    // Links follow the prefixed titles.
    assert.match(storageOf(prefixed, 'docs/users.md'), /<ri:page ri:content-title="Gatehouse: Guide" \/>/);
  });

  test('code blocks become code macros, mermaid stays a code block, and ]]> survives CDATA', () => {
    const storage = storageOf(render(root), 'docs/guide.md');
    assert.deepEqual(macroBodies(storage, 'mermaid'), ['flowchart LR\n  a --> b']);
    assert.deepEqual(macroBodies(storage, 'js'), ['const end = "]]>";']);
    assert.ok(storage.includes(']]]]><![CDATA[>'), 'the ]]> is split across CDATA sections');
    // The title heading is not repeated in the body; the others stay.
    assert.doesNotMatch(storage, /<h1>/);
    assert.match(storage, /<h2>A table<\/h2>/);
    assertWellFormed(storage);
  });

  test('tables, lists, inline code, emphasis and escaping', () => {
    const storage = storageOf(render(root), 'docs/guide.md');
    assert.ok(
      storage.includes(
        '<table><tbody><tr><th>name</th><th>value</th></tr><tr><td><code>x</code></td><td>1<br />2</td></tr>',
      ),
      storage,
    );
    assert.match(
      storage,
      /<tr><td><strong>bold<\/strong><\/td><td><ac:link><ri:page ri:content-title="reference" \/>/,
    );
    assert.match(storage, /<ul><li>item one<\/li><li>item <code>two<\/code><\/li><\/ul>/);
    assert.match(storage, /<ol><li>first<\/li><li>second<\/li><\/ol>/);
    assert.match(storage, /A &amp; B &lt; C © 2025\./);
  });

  test('links between pages become page links, with anchors; other files become paths or repository links', () => {
    const storage = storageOf(render(root), 'docs/guide.md');
    const pageLink = (title: string, text: string, anchor?: string) =>
      `<ac:link${anchor ? ` ac:anchor="${anchor}"` : ''}>${title ? `<ri:page ri:content-title="${title}" />` : ''}` +
      `<ac:plain-text-link-body><![CDATA[${text}]]></ac:plain-text-link-body></ac:link>`;
    assert.ok(storage.includes(pageLink('Users', 'users')), storage);
    assert.ok(storage.includes(pageLink('Users', 'signing in', 'Signingin')), storage);
    assert.ok(storage.includes(pageLink('', 'the table', 'Atable')), storage);
    assert.ok(storage.includes('source (<code>src/thing.ts</code>)'), storage);
    assert.ok(storage.includes('<a href="https://example.com/?a=1&amp;b=2">site</a>'), storage);
    assert.ok(
      storageOf(render(root), 'docs/reference.md').includes(pageLink('Guide', 'the guide table', 'Atable')),
    );

    const linked = storageOf(
      render(root, { repositoryUrl: 'https://git.example/acme/gatehouse/blob/main' }),
      'docs/guide.md',
    );
    assert.ok(
      linked.includes('<a href="https://git.example/acme/gatehouse/blob/main/src/thing.ts">source</a>'),
      linked,
    );
  });

  test('every page of docs/ converts to well-formed storage', () => {
    const pages = render(REPO_ROOT);
    assert.equal(pages.length, globSync('docs/**/*.md', { cwd: REPO_ROOT }).length);
    for (const page of pages) assertWellFormed(page.storage, page.path);
  });

  test('normalisation ignores what Confluence adds on save', () => {
    const storage = storageOf(render(root), 'docs/guide.md');
    assert.equal(normaliseStorage(confluenceRewrite(storage)), normaliseStorage(storage));
    assert.notEqual(normaliseStorage(storage.replace('item one', 'item 1')), normaliseStorage(storage));
    assert.notEqual(normaliseStorage(storage.replace('a --> b', 'a -->  b')), normaliseStorage(storage));
  });

  test('a page published from the same source is unchanged even if Confluence rewrote it beyond recognition', () => {
    const storage = storageOf(render(root), 'docs/users.md');
    const rewritten = (message: string) => ({
      id: '1',
      title: 'Users',
      version: { number: 3, message },
      body: { storage: { value: '<p>re-serialised by a newer editor</p>' } },
    });
    assert.ok(isUnchanged(rewritten(`Published from docs/users.md (${sourceMarker(storage)})`), storage));
    assert.ok(!isUnchanged(rewritten('edited by hand'), storage));
    assert.ok(
      !isUnchanged(rewritten(`Published from docs/users.md (${sourceMarker('<p>old</p>')})`), storage),
    );
  });
});

describe('publishing to Confluence', () => {
  let root: string;
  let fake: FakeConfluence;
  before(async () => {
    root = writeFixture();
    fake = await startFakeConfluence();
  });
  beforeEach(() => {
    fake.reset();
    fake.pages.clear();
    fake.authorization = BASIC;
    writeFileSync(join(root, 'docs/users.md'), USERS);
  });
  after(async () => {
    await fake.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('the first run creates every page, a second changes nothing, an edit updates only that page', async () => {
    const first = await publish(fake, root);
    assert.deepEqual(fake.problems, []);
    assert.deepEqual(
      first.map((action) => [action.kind, action.title, action.version]),
      [
        ['create', 'Guide', 1],
        ['create', 'reference', 1],
        ['create', 'Users', 1],
      ],
    );
    assert.equal(fake.writes().filter((call) => call.method === 'POST').length, 3);
    assert.equal(fake.pages.size, 3);
    for (const page of fake.pages.values()) assert.deepEqual(page.ancestors, [{ id: PARENT }]);
    assert.ok(fake.calls.every((call) => call.authorization === BASIC));

    fake.reset();
    const second = await publish(fake, root);
    assert.deepEqual(fake.problems, []);
    assert.deepEqual(fake.writes(), [], 'no page is written when nothing changed');
    assert.deepEqual(
      second.map((action) => action.kind),
      ['unchanged', 'unchanged', 'unchanged'],
    );

    fake.reset();
    writeFileSync(join(root, 'docs/users.md'), `${USERS}\nA new paragraph.\n`);
    const third = await publish(fake, root);
    assert.deepEqual(fake.problems, []);
    const writes = fake.writes();
    assert.equal(writes.length, 1);
    const [put] = writes;
    assert.ok(put);
    assert.equal(put.method, 'PUT');
    const users = [...fake.pages.values()].find((page) => page.title === 'Users');
    assert.equal(put.path, `/wiki/rest/api/content/${users?.id}`);
    assert.equal((put.body as { version: { number: number } }).version.number, 2);
    assert.equal(users?.version, 2);
    assert.match(users?.storage ?? '', /A new paragraph\./);
    assert.deepEqual(
      third.map((action) => [action.kind, action.title, action.version]),
      [
        ['unchanged', 'Guide', 1],
        ['unchanged', 'reference', 1],
        ['update', 'Users', 2],
      ],
    );

    // And once more: the updated page is now recognised as current.
    fake.reset();
    await publish(fake, root);
    assert.deepEqual(fake.writes(), []);
  });

  test('a dry run reads but writes nothing', async () => {
    const actions = await publish(fake, root, { dryRun: true });
    assert.deepEqual(fake.problems, []);
    assert.deepEqual(fake.writes(), []);
    assert.equal(fake.calls.length, 3);
    assert.deepEqual(
      actions.map((action) => action.kind),
      ['create', 'create', 'create'],
    );
  });

  test('429 and 5xx are retried, honouring Retry-After', async () => {
    fake.failures.push({ status: 429, retryAfter: '3' }, { status: 503 });
    const sleeps: number[] = [];
    const actions = await publish(fake, root, { sleeps });
    assert.deepEqual(fake.problems, []);
    // 3 s asked by Retry-After, then the backoff's second step (1 s doubled).
    assert.deepEqual(sleeps, [3000, 2000]);
    assert.equal(fake.calls.length, 2 + 3 + 3);
    assert.equal(fake.pages.size, 3);
    assert.ok(actions.every((action) => action.kind === 'create'));
  });

  test('an HTTP error names the status, Confluence’s message and the page; it is not retried', async () => {
    fake.failures.push({
      status: 403,
      body: JSON.stringify({
        statusCode: 403,
        message: 'Not permitted to use Confluence',
        data: { errors: [{ message: { translation: 'User lacks space permission' } }] },
      }),
    });
    const sleeps: number[] = [];
    await assert.rejects(publish(fake, root, { sleeps }), (error: Error) => {
      assert.match(error.message, /docs\/guide\.md/);
      assert.match(error.message, /403/);
      assert.match(error.message, /Not permitted to use Confluence; User lacks space permission/);
      return true;
    });
    assert.deepEqual(sleeps, []);
    assert.equal(fake.calls.length, 1);
  });

  test('retries stop after a few attempts', async () => {
    for (let n = 0; n < 5; n++) fake.failures.push({ status: 502, body: '<html>Bad gateway</html>' });
    const sleeps: number[] = [];
    await assert.rejects(publish(fake, root, { sleeps }), /502 Bad Gateway: <html>Bad gateway<\/html>/);
    assert.deepEqual(sleeps, [1000, 2000, 4000, 8000]);
  });

  test('a Data Center personal access token is sent as a bearer token', async () => {
    const bearer = authorizationHeader({ kind: 'bearer', token: 'pat-123' });
    assert.equal(bearer, 'Bearer pat-123');
    fake.authorization = bearer;
    await publish(fake, root, { authorization: bearer });
    assert.deepEqual(fake.problems, []);
    assert.equal(fake.pages.size, 3);
  });

  test('the real docs/ publish as one page per Markdown file', async () => {
    const actions = await publish(fake, REPO_ROOT, { docsDir: join(REPO_ROOT, 'docs') });
    assert.deepEqual(fake.problems, []);
    const count = globSync('docs/**/*.md', { cwd: REPO_ROOT }).length;
    assert.equal(actions.filter((action) => action.kind === 'create').length, count);
    assert.equal(fake.pages.size, count);
  });

  test('the script publishes through the REST API and reports each page', async () => {
    const env = {
      CONFLUENCE_BASE_URL: `${fake.baseUrl}/`,
      CONFLUENCE_SPACE_KEY: SPACE,
      CONFLUENCE_PARENT_PAGE_ID: PARENT,
      CONFLUENCE_USER: 'docs-bot@example.com',
      CONFLUENCE_API_TOKEN: 'secret-token',
    };
    const docsDir = join(root, 'docs');
    const dry = await runScript(['--dry-run', '--docs-dir', docsDir], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would create\s+Guide/);
    assert.match(dry.stdout, /3 to create, 0 to update, 0 unchanged/);
    assert.deepEqual(fake.writes(), []);

    const run = await runScript(['--docs-dir', docsDir], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /3 created, 0 updated, 0 unchanged/);
    assert.equal(fake.pages.size, 3);

    const again = await runScript(['--docs-dir', docsDir], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /0 created, 0 updated, 3 unchanged/);
    assert.deepEqual(fake.problems, []);
  });

  test('the script exits 1 with a clear message when settings are missing', async () => {
    const result = await runScript([], {});
    assert.equal(result.code, 1);
    assert.match(result.stderr, /CONFLUENCE_BASE_URL is missing/);
    assert.match(result.stderr, /CONFLUENCE_SPACE_KEY is missing/);
    assert.match(result.stderr, /CONFLUENCE_USER and CONFLUENCE_API_TOKEN .* or CONFLUENCE_BEARER_TOKEN/);
    assert.equal(result.stdout, '');

    const partial = await runScript([], {
      CONFLUENCE_BASE_URL: 'https://example.atlassian.net/wiki',
      CONFLUENCE_SPACE_KEY: SPACE,
      CONFLUENCE_USER: 'someone@example.com',
    });
    assert.equal(partial.code, 1);
    assert.match(partial.stderr, /CONFLUENCE_API_TOKEN is missing/);
  });
});

describe('Confluence settings', () => {
  test('basic auth, bearer precedence, trailing slashes and the parent id', () => {
    const settings = readConfluenceSettings({
      CONFLUENCE_BASE_URL: 'https://example.atlassian.net/wiki/',
      CONFLUENCE_SPACE_KEY: 'GATE',
      CONFLUENCE_USER: 'a@example.com',
      CONFLUENCE_API_TOKEN: 't',
      CONFLUENCE_TITLE_PREFIX: 'GH: ',
      DOCS_REPOSITORY_URL: 'https://git.example/acme/gatehouse/blob/main/',
    });
    assert.equal(settings.baseUrl, 'https://example.atlassian.net/wiki');
    assert.equal(settings.repositoryUrl, 'https://git.example/acme/gatehouse/blob/main');
    assert.equal(settings.titlePrefix, 'GH: ');
    assert.equal(settings.parentPageId, undefined);
    assert.equal(
      authorizationHeader(settings.auth),
      `Basic ${Buffer.from('a@example.com:t').toString('base64')}`,
    );

    const bearer = readConfluenceSettings({
      CONFLUENCE_BASE_URL: 'https://confluence.example.com',
      CONFLUENCE_SPACE_KEY: 'GATE',
      CONFLUENCE_BEARER_TOKEN: 'pat',
      CONFLUENCE_PARENT_PAGE_ID: '123',
    });
    assert.deepEqual(bearer.auth, { kind: 'bearer', token: 'pat' });
    assert.equal(bearer.parentPageId, '123');

    assert.throws(
      () =>
        readConfluenceSettings({
          CONFLUENCE_BASE_URL: 'ftp://x',
          CONFLUENCE_SPACE_KEY: 'GATE',
          CONFLUENCE_BEARER_TOKEN: 'pat',
          CONFLUENCE_PARENT_PAGE_ID: 'Home',
        }),
      /must be an http\(s\) URL[\s\S]*must be a numeric page id/,
    );
  });
});
