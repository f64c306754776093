export { accountRoutes } from './account-routes.ts';
export { type AccountService, createAccountService, type Deferred } from './account-service.ts';
export { cleanEmail, normalizeEmail } from './email.ts';
export { linkAad } from './link-events.ts';
export { meRoutes } from './me-routes.ts';
export { passwordExpired, passwordExpiresAt } from './password-expiry.ts';
export {
  createPasswordHasher,
  type HashParameters,
  hashingThreadsPerProcess,
  type PasswordHasher,
} from './password-hasher.ts';
export { createSelfService, type SelfService } from './self-service.ts';
export { createUserDirectory, type DirectoryUser, type UserDirectory } from './user-directory.ts';
export {
  findUserByEmail,
  findUserById,
  insertUser,
  type NewUser,
  recordLogin,
  USER_CHANGE_NOTICE_SECONDS,
  type UserRow,
} from './user-repository.ts';
export { userRoutes } from './user-routes.ts';
export { createUserService, type UserService } from './user-service.ts';
export { userinfoRoutes } from './userinfo-routes.ts';
