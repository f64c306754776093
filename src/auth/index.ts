export { registerAccessControl } from './access-control.ts';
export { authRoutes } from './auth-routes.ts';
export type { LoginDeps } from './login-steps.ts';
export { createSubjectDirectory, type SubjectDirectory } from './subject-directory.ts';
