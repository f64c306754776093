export { createJobCatalogue, type JobConfig } from './job-catalogue.ts';
export { jobRoutes } from './job-routes.ts';
export {
  createJobScheduler,
  type JobScheduler,
  type JobSchedulerOptions,
  type JobSummary,
} from './job-scheduler.ts';
export type { JobContext, JobDefinition, JobLog, RunResult, RunStatus, RunTrigger } from './job-types.ts';
export type { JobRun } from './run-store.ts';
export { TENANT_TABLE_ORDER, tablesWithTenantId } from './tenant-tables.ts';
