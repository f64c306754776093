export { bypassesRowSecurity, grantAppRole } from './app-role.ts';
export {
  afterCommit,
  createDatabase,
  type Database,
  type DatabaseOptions,
  sqlitePath,
  type Tx,
} from './database.ts';
export { isConnectionFailure, isUniqueViolation } from './driver-errors.ts';
export { canonicalId, isUuid, uuidv7 } from './ids.ts';
export { keysetPage } from './keyset.ts';
export type { Dialect } from './migrations/index.ts';
export {
  assertSchemaCurrent,
  currentVersion,
  LATEST_VERSION,
  migrate,
  SchemaVersionError,
} from './migrator.ts';
export { type DB, fromBool, fromJson, toJson } from './schema.ts';
export { spendOnce } from './single-use.ts';
export { startsWith } from './starts-with.ts';
