export type { Group } from './group-repository.ts';
export { groupRoutes } from './group-routes.ts';
export { createGroupService, type GroupService } from './group-service.ts';
export { groupView } from './group-view.ts';
export type { Member } from './membership-repository.ts';
export type { MembershipOutcome } from './membership-request.ts';
