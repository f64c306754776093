import { foundation } from './0001-foundation.ts';
import { signingKeys } from './0002-signing-keys.ts';
import { usersAndGroups } from './0003-users-and-groups.ts';
import { sessionsAndClients } from './0004-sessions-and-clients.ts';
import { policies } from './0005-policies.ts';
import { mfaAndKeyRotation } from './0006-mfa-and-key-rotation.ts';
import { queue } from './0007-queue.ts';
import { jobs } from './0008-jobs.ts';
import { eventLog } from './0009-event-log.ts';
import { refreshRotation } from './0010-refresh-rotation.ts';
import type { Migration } from './types.ts';

/** Every migration in version order; a version, once released, never changes. */
export const MIGRATIONS: readonly Migration[] = [
  foundation,
  signingKeys,
  usersAndGroups,
  sessionsAndClients,
  policies,
  mfaAndKeyRotation,
  queue,
  jobs,
  eventLog,
  refreshRotation,
];

export type { Dialect, Migration } from './types.ts';
