import { AppError } from '../http/index.ts';

// Unknown, malformed and other tenants' ids all get the same answer, so ids cannot be probed.
export function groupNotFound(): AppError {
  return new AppError('IAM_ERR_GROUP_NOT_FOUND', 'No such group.');
}

export function userNotFound(): AppError {
  return new AppError('IAM_ERR_USER_NOT_FOUND', 'No such user.');
}
