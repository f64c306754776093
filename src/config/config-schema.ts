import { type Static, Type } from 'typebox';

// Every key is an environment variable of the same name (or a key of CONFIG_FILE).
// Each has a default and a one-line description; docs/configuration.md is generated from this.
const Str = (def: string, description: string, extra: object = {}) =>
  Type.String({ default: def, description, ...extra });
const Int = (def: number, minimum: number, maximum: number, description: string) =>
  Type.Integer({ default: def, minimum, maximum, description });
const Bool = (def: boolean, description: string) => Type.Boolean({ default: def, description });
const OneOf = <const T extends readonly string[]>(values: T, def: T[number], description: string) =>
  Type.Enum(values, { default: def, description });

const URL_OR_EMPTY = '^$|^[a-z][a-z0-9+.-]*://';

export const ConfigSchema = Type.Object(
  {
    NODE_ENV: OneOf(
      ['development', 'production', 'test'] as const,
      'development',
      'Run mode; `production` refuses insecure development defaults.',
    ),
    HOST: Str('127.0.0.1', 'Interface to listen on; use `0.0.0.0` (or `::`) inside containers.'),
    PORT: Int(8080, 0, 65535, 'TCP port to listen on.'),
    PUBLIC_URL: Str(
      '',
      'Public base URL clients use (token issuers derive from it); defaults to `http://localhost:<PORT>`.',
      { pattern: '^$|^https?://[^/?#]+(/[^?#]*)?$' },
    ),
    WORKERS: Int(
      1,
      1,
      64,
      'Number of worker processes (node:cluster); one per core is a good production value.',
    ),
    LOG_LEVEL: OneOf(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
      'Minimum log level.',
    ),
    TRUSTED_PROXIES: Str(
      '',
      'Comma-separated IPs/CIDRs of reverse proxies whose `X-Forwarded-For` and `X-Request-Id` are trusted.',
    ),
    BODY_LIMIT_BYTES: Int(262_144, 1024, 10_485_760, 'Largest accepted request body, in bytes.'),
    REQUEST_TIMEOUT_MS: Int(30_000, 1000, 600_000, 'Time a request may take before the server answers 503.'),
    SHUTDOWN_TIMEOUT_MS: Int(
      10_000,
      100,
      600_000,
      'On SIGTERM/SIGINT, time allowed for in-flight requests before the process exits.',
    ),
    DATA_DIR: Str(
      './data',
      'Directory for the embedded database and development files (relative to the working directory).',
    ),
    DATABASE_URL: Str(
      '',
      'PostgreSQL connection URL (`postgres://…`) used by the service; empty uses the embedded SQLite database.',
      { pattern: '^$|^postgres(ql)?://' },
    ),
    DATABASE_MIGRATION_URL: Str(
      '',
      'PostgreSQL URL of the schema owner, used by migrations; defaults to DATABASE_URL.',
      { pattern: '^$|^postgres(ql)?://' },
    ),
    DATABASE_MIGRATE_ON_START: Bool(
      false,
      'Apply pending migrations at start on PostgreSQL (the embedded database always migrates at start).',
    ),
    DATABASE_POOL_MAX: Int(10, 1, 500, 'Maximum PostgreSQL connections per process.'),
    DATABASE_STATEMENT_TIMEOUT_MS: Int(5000, 100, 600_000, 'PostgreSQL statement and connection timeout.'),
    DATABASE_PREPARED_STATEMENTS: Bool(
      true,
      'Keep statements used repeatedly prepared on each PostgreSQL connection (turn off behind a pooler in transaction mode that does not track prepared statements, such as PgBouncer before 1.21).',
    ),
    REDIS_URL: Str(
      '',
      'Redis URL (`redis://…`) for shared counters and revocation fan-out; empty keeps them in process.',
      {
        pattern: URL_OR_EMPTY,
      },
    ),
    AMQP_URL: Str('', 'RabbitMQ URL (`amqp://…`) for the event queue; empty uses the database queue.', {
      pattern: URL_OR_EMPTY,
    }),
    AMQP_PREFIX: Str(
      'gatehouse',
      'Name prefix of the RabbitMQ exchanges and queues (one per deployment sharing a broker).',
      {
        pattern: '^[a-z][a-z0-9_-]{0,40}$',
      },
    ),
    SMTP_URL: Str(
      '',
      'SMTP URL (`smtp://` or `smtps://`) for outgoing mail; empty writes `.eml` files under DATA_DIR/mail.',
      {
        pattern: URL_OR_EMPTY,
      },
    ),
    SMTP_TLS_REJECT_UNAUTHORIZED: Bool(
      true,
      'Refuse an SMTP server whose TLS certificate does not verify; turn off only for a test relay.',
    ),
    MAIL_FROM: Str(
      'no-reply@localhost',
      "Sender address of outgoing mail; the display name is the tenant's sender name setting.",
      { format: 'email' },
    ),
    EVENT_CONSUMERS_ENABLED: Bool(
      true,
      'Run the event consumers (email, webhooks) in this process; off, it only relays events to the queue for others.',
    ),
    OUTBOX_POLL_MS: Int(
      200,
      10,
      10_000,
      'How often the relay looks for committed events when no commit in this process woke it.',
    ),
    OUTBOX_BATCH_SIZE: Int(500, 1, 10_000, 'Events the relay moves to the queue per transaction.'),
    QUEUE_PREFETCH: Int(64, 1, 10_000, 'Messages a consumer holds unacknowledged at once.'),
    QUEUE_MAX_ATTEMPTS: Int(
      6,
      1,
      100,
      'Attempts a consumer makes at one event before it goes to the dead-letter queue.',
    ),
    QUEUE_RETRY_BASE_MS: Int(
      1000,
      10,
      3_600_000,
      'Delay before the first retry of a failed event; it doubles with each further attempt.',
    ),
    QUEUE_RETRY_MAX_MS: Int(300_000, 10, 86_400_000, 'Longest delay between two attempts at one event.'),
    KEY_ENCRYPTION_SECRET: Str(
      '',
      'Base64 of 32 random bytes that encrypts signing keys and TOTP secrets at rest; empty generates one under DATA_DIR (development only).',
      { pattern: '^$|^[A-Za-z0-9+/]{43}=$' },
    ),
    GATEHOUSE_ADMIN_EMAIL: Str(
      'admin@gatehouse.local',
      'Email of the platform administrator created on first start.',
      {
        format: 'email',
      },
    ),
    GATEHOUSE_ADMIN_PASSWORD: Str(
      '',
      'Password of the platform administrator created on first start; empty generates one and prints it once.',
    ),
    INVALIDATION_POLL_MS: Int(
      250,
      20,
      5000,
      'How often each process reads new revocations and authorization changes made by other processes.',
    ),
    SIGNING_KEY_PUBLISH_LEAD_SECONDS: Int(
      900,
      0,
      604_800,
      'A new signing key is published in the JWKS this long before it signs (longer than verifiers cache the JWKS, 300 s).',
    ),
    WEBHOOK_ALLOW_INSECURE: Bool(
      false,
      'Allow webhook URLs with http:// or private, loopback and link-local addresses (development and tests only).',
    ),
    WEBHOOK_TIMEOUT_MS: Int(5000, 100, 60_000, 'Time a webhook endpoint has to answer one delivery.'),
    CORS_ALLOWED_ORIGINS: Str(
      '',
      'Comma-separated browser origins allowed to call the platform routes (`/v1/…`); tenant routes use their tenant setting.',
    ),
    RATE_LIMIT_ENABLED: Bool(true, 'Apply rate limits (turn off only behind a gateway that limits for you).'),
    RATE_LIMIT_GLOBAL_PER_MINUTE: Int(
      1200,
      1,
      10_000_000,
      'Requests one client IP may make per minute across all routes.',
    ),
    ALTCHA_HMAC_KEY: Str(
      '',
      'Secret that signs ALTCHA captcha challenges; empty derives one from KEY_ENCRYPTION_SECRET.',
    ),
    ALTCHA_MAX_NUMBER: Int(
      100_000,
      1000,
      10_000_000,
      'ALTCHA difficulty: the largest number a client may have to try.',
    ),
    CAPTCHA_CHALLENGE_TTL_SECONDS: Int(300, 30, 3600, 'Time a captcha challenge can be solved in.'),
    MFA_TOTP_WINDOW: Int(
      1,
      0,
      10,
      'TOTP steps (30 s each) accepted either side of the current one, for clock drift (RFC 6238 §5.2).',
    ),
    MFA_TOKEN_MAX_FAILURES: Int(
      5,
      1,
      100,
      'Wrong codes one `mfa_token` takes before the sign-in must restart.',
    ),
    MFA_USER_MAX_FAILURES: Int(
      10,
      1,
      1000,
      'Wrong second-factor codes one account takes within MFA_USER_FAILURE_WINDOW_SECONDS before verification pauses.',
    ),
    MFA_USER_FAILURE_WINDOW_SECONDS: Int(
      900,
      60,
      86_400,
      'Period over which wrong codes per account are counted.',
    ),
    JOBS_ENABLED: Bool(
      true,
      'Run the scheduled jobs in this process (a lease in the database lets one process of all replicas run each job); false leaves them to `npm run job` from cron (docs/jobs.md).',
    ),
    JOB_LEASE_SECONDS: Int(
      120,
      10,
      3600,
      'Lease a running job holds and renews; when its process dies, another takes the job over this long after the last renewal.',
    ),
    JOB_BATCH_SIZE: Int(
      1000,
      10,
      100_000,
      'Rows a job deletes or changes per transaction, so that it never holds locks for long.',
    ),
    JOB_PURGE_DELETED_USERS_CRON: Str(
      '17 3 * * *',
      "When users deleted longer than their tenant's `users.deleted_retention_days` are purged (cron, UTC).",
      { pattern: '^(@[a-z]+|\\S+( +\\S+){4,6})$' },
    ),
    JOB_PURGE_DELETED_TENANTS_CRON: Str(
      '37 3 * * *',
      'When tenants deleted longer than TENANT_DELETED_RETENTION_DAYS are purged with all their data (cron, UTC).',
      { pattern: '^(@[a-z]+|\\S+( +\\S+){4,6})$' },
    ),
    JOB_PURGE_EXPIRED_TOKENS_CRON: Str(
      '7 * * * *',
      'When expired revocations, ended sessions with their refresh tokens and spent MFA challenges are purged (cron, UTC).',
      { pattern: '^(@[a-z]+|\\S+( +\\S+){4,6})$' },
    ),
    JOB_PURGE_USED_TOTP_STEPS_CRON: Str(
      '*/15 * * * *',
      'When used TOTP steps that can no longer be replayed are purged (cron, UTC).',
      { pattern: '^(@[a-z]+|\\S+( +\\S+){4,6})$' },
    ),
    JOB_PURGE_EXPIRED_LINKS_CRON: Str(
      '27 * * * *',
      'When expired, used and superseded email links are purged (cron, UTC).',
      { pattern: '^(@[a-z]+|\\S+( +\\S+){4,6})$' },
    ),
    JOB_PURGE_JOB_RUNS_AND_DEAD_LETTERS_CRON: Str(
      '47 4 * * *',
      'When old job runs, dead letters, consumed-event records and published outbox rows are purged (cron, UTC).',
      { pattern: '^(@[a-z]+|\\S+( +\\S+){4,6})$' },
    ),
    JOB_PASSWORD_EXPIRY_REMINDERS_CRON: Str(
      '13 8 * * *',
      "When reminders go out for passwords that expire within their tenant's `password_expiry.reminder_days` (cron, UTC).",
      { pattern: '^(@[a-z]+|\\S+( +\\S+){4,6})$' },
    ),
    TENANT_DELETED_RETENTION_DAYS: Int(
      30,
      0,
      3650,
      "Days a deleted tenant's data is kept before the purge removes it and frees its slug.",
    ),
    JOB_EXPIRED_GRACE_HOURS: Int(
      24,
      0,
      8760,
      'Hours ended sessions, spent MFA challenges and used or expired email links are kept before the purge (for support questions).',
    ),
    JOB_RUNS_RETENTION_DAYS: Int(30, 1, 3650, 'Days the record of a job run is kept.'),
    DEAD_LETTER_RETENTION_DAYS: Int(
      30,
      1,
      3650,
      'Days a dead letter is kept for operators to inspect, replay or purge before it is deleted.',
    ),
    CONSUMED_EVENTS_RETENTION_DAYS: Int(
      30,
      1,
      3650,
      'Days a consumer remembers the events it handled, so that a redelivery within them is skipped.',
    ),
    OUTBOX_RETENTION_DAYS: Int(7, 1, 3650, 'Days a published event stays in the outbox table.'),
    ARGON2_MEMORY_KIB: Int(19_456, 8192, 1_048_576, 'argon2id memory cost in KiB (OWASP: 19 MiB).'),
    ARGON2_ITERATIONS: Int(2, 1, 20, 'argon2id time cost (OWASP: 2).'),
    ARGON2_PARALLELISM: Int(1, 1, 16, 'argon2id parallelism (OWASP: 1).'),
    PASSWORD_HASH_THREADS: Int(
      0,
      0,
      64,
      'Threads per process that hash passwords, at a lower CPU priority than request handling (Linux), so a flood of sign-ins does not slow other requests. Each hash holds ARGON2_MEMORY_KIB while it runs. 0: one per core, shared among the WORKERS processes (at least one each).',
    ),
  },
  { additionalProperties: false },
);

export type Config = Readonly<Static<typeof ConfigSchema>>;
