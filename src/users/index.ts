export { normalizeEmail } from './email.ts';
export { createPasswordHasher, type HashParameters, type PasswordHasher } from './password-hasher.ts';
export {
  findUserByEmail,
  findUserById,
  insertUser,
  type NewUser,
  recordLogin,
  type UserRow,
} from './user-repository.ts';
