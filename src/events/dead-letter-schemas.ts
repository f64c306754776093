import { Type } from 'typebox';
import { PageQuery, pageSchema } from '../http/index.ts';

const Time = Type.String({ format: 'date-time' });

export const DeadLetterView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  consumer: Type.String({ description: 'The consumer that gave up (`notifications`, `webhooks`, …).' }),
  event_id: Type.Union([Type.String(), Type.Null()], {
    description: 'Null when the message was unreadable.',
  }),
  tenant_id: Type.Union([Type.String(), Type.Null()]),
  type: Type.Union([Type.String(), Type.Null()]),
  error: Type.String({ description: 'The last error.' }),
  attempts: Type.Integer(),
  first_attempt_at: Type.Union([Time, Type.Null()]),
  failed_at: Time,
});

export const DeadLetterDetail = Type.Object({
  ...DeadLetterView.properties,
  body: Type.String({ description: 'The message as the consumer received it (sealed secrets stay sealed).' }),
});

export const DeadLetterPage = pageSchema(DeadLetterView);

const filterFields = {
  consumer: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  type: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  failed_from: Type.Optional({ ...Time, description: 'Failed at or after this instant.' }),
  failed_to: Type.Optional({ ...Time, description: 'Failed before this instant.' }),
};

/** `tenant_id` narrows the platform view; tenant routes are already scoped to their tenant. */
export const PlatformFilterFields = {
  ...filterFields,
  tenant_id: Type.Optional(Type.String({ format: 'uuid' })),
};

export const DeadLetterListQuery = (platform: boolean) =>
  Type.Object(
    { ...PageQuery, ...(platform ? PlatformFilterFields : filterFields) },
    { additionalProperties: false },
  );

export const DeadLetterFilterBody = (platform: boolean) =>
  Type.Object(platform ? PlatformFilterFields : filterFields, { additionalProperties: false });

export const DeadLetterParams = Type.Object({
  tenant: Type.Optional(Type.String()),
  id: Type.String({ maxLength: 64 }),
});

export const ReplayedView = Type.Object({ replayed: Type.Integer() });
export const DeletedView = Type.Object({ deleted: Type.Integer() });
