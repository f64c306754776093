import { ConfigSchema } from '../config/index.ts';
import { EVENT_CATALOGUE } from '../events/index.ts';
import { ERROR_CATALOGUE } from '../http/index.ts';

// Reference pages generated from the code that defines them, so they cannot drift apart:
// `npm run docs:generate` writes them and `npm run docs:check` (in CI) fails when one is stale.

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderConfiguration(): string {
  const lines = [
    '# Configuration',
    '',
    'Every key is read from the environment variable of the same name, or from the JSON or YAML file named by',
    '`CONFIG_FILE` (environment variables win). Values are validated once at start; an invalid value stops the',
    'process with exit code 1 and a message listing every offending key. Unknown `GATEHOUSE_*`, `DATABASE_*` and `ARGON2_*` variables and unknown file keys are reported as warnings.',
    '',
    'With `NODE_ENV=production` the process refuses to start while `KEY_ENCRYPTION_SECRET` or `SMTP_URL` is empty',
    '(the generated development secret and the file mailer).',
    '',
    '| key | type | default | description |',
    '|---|---|---|---|',
  ];
  const properties = ConfigSchema.properties as unknown as Record<string, Record<string, unknown>>;
  for (const [key, schema] of Object.entries(properties)) {
    const values = Array.isArray(schema.enum) ? (schema.enum as string[]).join(' \\| ') : undefined;
    const type = values ?? String(schema.type);
    const range = schema.minimum !== undefined ? ` (${schema.minimum}–${schema.maximum})` : '';
    const def = JSON.stringify(schema.default);
    lines.push(
      `| \`${key}\` | ${type}${range} | \`${def === '""' ? '(empty)' : def}\` | ${cell(String(schema.description))} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export function renderErrors(): string {
  const lines = [
    '# Error codes',
    '',
    'Every error is an RFC 9457 problem (`Content-Type: application/problem+json`) with `type`, `title`, `status`,',
    '`detail`, `code`, `instance` and `request_id`; validation failures add `errors[]`, each with a JSON `pointer`,',
    'a `message` and the request part (`in`). `type` is `urn:gatehouse:problem:<code>`. 5xx bodies never carry the',
    'cause: it is logged with the request id.',
    '',
    '| code | status | meaning | what to do |',
    '|---|---|---|---|',
  ];
  for (const [code, e] of Object.entries(ERROR_CATALOGUE)) {
    lines.push(`| \`${code}\` | ${e.status} | ${cell(e.meaning)} | ${cell(e.action)} |`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderEvents(): string {
  const lines = [
    '# Events',
    '',
    'Every state change writes its event into the outbox in the same transaction. Each event has an `id`',
    '(UUIDv7), `type`, `version`, `tenant_id` and `occurred_at`, and the payload below. Payloads never carry',
    'secrets, tokens, passwords or codes.',
    '',
    "A tenant's administrators (and auditors) read its events, newest first, at `GET /t/{tenant}/v1/events`",
    '(permission `event:read`, filter `type=user.created` or `type=user.*`): the audit trail, kept for',
    '`OUTBOX_RETENTION_DAYS` after delivery. Sealed link tokens are left out of that view.',
    '',
  ];
  for (const [type, e] of Object.entries(EVENT_CATALOGUE)) {
    lines.push(
      `## \`${type}\` (v${e.version})`,
      '',
      e.description,
      '',
      `Producer: ${e.producer}.`,
      '',
      '| payload member | meaning |',
      '|---|---|',
    );
    for (const [member, meaning] of Object.entries(e.payload))
      lines.push(`| \`${member}\` | ${cell(meaning)} |`);
    lines.push('');
  }
  return lines.join('\n');
}
