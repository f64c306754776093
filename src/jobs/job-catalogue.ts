import type { Config } from '../config/index.ts';
import type { JobDefinition } from './job-types.ts';
import { passwordExpiryReminders } from './password-expiry-reminders.ts';
import { purgeDeletedTenants } from './purge-deleted-tenants.ts';
import { purgeDeletedUsers } from './purge-deleted-users.ts';
import { purgeExpiredLinks } from './purge-expired-links.ts';
import { purgeExpiredTokens } from './purge-expired-tokens.ts';
import { purgeJobRunsAndDeadLetters } from './purge-job-runs-and-dead-letters.ts';
import { purgeUsedTotpSteps } from './purge-used-totp-steps.ts';

/** The configuration the jobs and their scheduler read. */
export type JobConfig = Pick<
  Config,
  | 'JOBS_ENABLED'
  | 'JOB_LEASE_SECONDS'
  | 'JOB_BATCH_SIZE'
  | 'JOB_PURGE_DELETED_USERS_CRON'
  | 'JOB_PURGE_DELETED_TENANTS_CRON'
  | 'JOB_PURGE_EXPIRED_TOKENS_CRON'
  | 'JOB_PURGE_USED_TOTP_STEPS_CRON'
  | 'JOB_PURGE_EXPIRED_LINKS_CRON'
  | 'JOB_PURGE_JOB_RUNS_AND_DEAD_LETTERS_CRON'
  | 'JOB_PASSWORD_EXPIRY_REMINDERS_CRON'
  | 'TENANT_DELETED_RETENTION_DAYS'
  | 'JOB_EXPIRED_GRACE_HOURS'
  | 'JOB_RUNS_RETENTION_DAYS'
  | 'DEAD_LETTER_RETENTION_DAYS'
  | 'CONSUMED_EVENTS_RETENTION_DAYS'
  | 'OUTBOX_RETENTION_DAYS'
  | 'MFA_USER_FAILURE_WINDOW_SECONDS'
>;

/** Every scheduled job, in the order the API lists them. */
export function createJobCatalogue(config: JobConfig): JobDefinition[] {
  return [
    purgeExpiredTokens(
      config.JOB_PURGE_EXPIRED_TOKENS_CRON,
      config.JOB_EXPIRED_GRACE_HOURS,
      config.MFA_USER_FAILURE_WINDOW_SECONDS,
    ),
    purgeUsedTotpSteps(config.JOB_PURGE_USED_TOTP_STEPS_CRON),
    purgeExpiredLinks(config.JOB_PURGE_EXPIRED_LINKS_CRON, config.JOB_EXPIRED_GRACE_HOURS),
    purgeDeletedUsers(config.JOB_PURGE_DELETED_USERS_CRON),
    purgeDeletedTenants(config.JOB_PURGE_DELETED_TENANTS_CRON, config.TENANT_DELETED_RETENTION_DAYS),
    purgeJobRunsAndDeadLetters(config.JOB_PURGE_JOB_RUNS_AND_DEAD_LETTERS_CRON, {
      jobRunsDays: config.JOB_RUNS_RETENTION_DAYS,
      deadLetterDays: config.DEAD_LETTER_RETENTION_DAYS,
      consumedEventsDays: config.CONSUMED_EVENTS_RETENTION_DAYS,
      outboxDays: config.OUTBOX_RETENTION_DAYS,
    }),
    passwordExpiryReminders(config.JOB_PASSWORD_EXPIRY_REMINDERS_CRON),
  ];
}
