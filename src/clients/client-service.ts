import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { type Database, fromJson, isUuid, keysetPage, type Tx, toJson, uuidv7 } from '../db/index.ts';
import { appendEvent, recordInvalidation } from '../events/index.ts';
import { AppError, type FieldError, ValidationError } from '../http/index.ts';
import { isPermission, PERMISSIONS, PLATFORM_PERMISSIONS } from '../roles/index.ts';
import type { CreateClientBody, UpdateClientBody } from './client-schemas.ts';
import type { SecretHasher } from './client-secrets.ts';

export type ClientRow = import('../db/index.ts').DB['clients'];

const RESOURCES = new Set(Object.keys(PERMISSIONS).map((p) => p.split(':')[0]));
const notFound = () => new AppError('IAM_ERR_CLIENT_NOT_FOUND', 'No such client.');

/** A client may hold tenant permissions (or `resource:*`), never the platform's. */
function checkPermissions(permissions: readonly string[]): void {
  const errors: FieldError[] = [];
  permissions.forEach((p, i) => {
    const [resource, action] = p.split(':');
    const known = action === '*' ? RESOURCES.has(resource ?? '') : isPermission(p);
    if (!known || (PLATFORM_PERMISSIONS as readonly string[]).includes(p) || resource === 'tenant') {
      errors.push({
        pointer: `/permissions/${i}`,
        message: 'is not a permission a client may hold',
        in: 'body',
      });
    }
  });
  if (errors.length > 0) throw new ValidationError(errors);
}

// Clients' permissions and status are read once a second at most per process.
const FRESH_MS = 1000;

/** Per-tenant service clients: OAuth 2.0 confidential clients using the client-credentials grant. */
export function createClientService(deps: { database: Database; clock: Clock; secrets: SecretHasher }) {
  const { database, clock, secrets } = deps;
  interface Known {
    row: ClientRow | undefined;
    permissions: ReadonlySet<string> | undefined;
    at: number;
  }
  const cache = new Map<string, Known>();

  /**
   * A client as this process last read it, at most FRESH_MS old: client-credentials grants and
   * introspection callers then cost an HMAC, not a database round trip. A change made here applies
   * at once; one made on another process within FRESH_MS.
   */
  async function known(tenantId: string, clientId: string): Promise<Known> {
    const key = `${tenantId}/${clientId}`;
    const hit = cache.get(key);
    if (hit && performance.now() - hit.at < FRESH_MS) return hit;
    const row = await database.withTenant(tenantId, (trx) => byClientId(trx, tenantId, clientId));
    const entry = {
      row,
      permissions: row?.status === 'active' ? new Set(fromJson<string[]>(row.permissions)) : undefined,
      at: performance.now(),
    };
    if (cache.size >= 10_000) cache.clear();
    cache.set(key, entry);
    return entry;
  }

  const load = async (trx: Tx, tenantId: string, id: string) => {
    const row = isUuid(id)
      ? await trx
          .selectFrom('clients')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .executeTakeFirst()
      : undefined;
    if (!row) throw notFound();
    return row;
  };
  const byClientId = (trx: Tx, tenantId: string, clientId: string) =>
    trx
      .selectFrom('clients')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
  const payload = (row: ClientRow, actorId: string) => ({
    tenant_id: row.tenant_id,
    client_id: row.client_id,
    name: row.name,
    actor_id: actorId,
  });

  // Disabling or deleting a client refuses its outstanding tokens everywhere at once.
  const cutOff = (trx: Tx, row: ClientRow, now: Date) =>
    recordInvalidation(
      trx,
      {
        tenantId: row.tenant_id,
        kind: 'user',
        subject: row.client_id,
        notBefore: now.toISOString(),
        expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
      },
      now,
    );

  return {
    async create(
      tenantId: string,
      body: CreateClientBody,
      actorId: string,
    ): Promise<ClientRow & { secret: string }> {
      checkPermissions(body.permissions);
      const now = clock.now();
      const secret = secrets.generate();
      const row: ClientRow = {
        tenant_id: tenantId,
        id: uuidv7(now.getTime()),
        client_id: `gh_${randomBytes(12).toString('base64url')}`,
        name: body.name,
        secret_hash: secrets.hash(secret),
        previous_secret_hash: null,
        previous_secret_expires_at: null,
        grant_types: body.grant_types ?? ['client_credentials'],
        permissions: body.permissions,
        status: 'active',
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
      };
      await database.withTenant(tenantId, async (trx) => {
        await trx
          .insertInto('clients')
          .values({ ...row, grant_types: toJson(row.grant_types), permissions: toJson(row.permissions) })
          .execute();
        await appendEvent(trx, { type: 'client.created', tenantId, payload: payload(row, actorId) }, now);
      });
      return { ...row, secret };
    },

    list: (tenantId: string, limit: number, after?: readonly (string | number)[]) =>
      database.withTenant(tenantId, (trx) => {
        const query = trx.selectFrom('clients').selectAll().where('tenant_id', '=', tenantId);
        return keysetPage(query, { by: ['id'] }, { limit, after }).execute();
      }),

    get: (tenantId: string, id: string) => database.withTenant(tenantId, (trx) => load(trx, tenantId, id)),

    async update(tenantId: string, id: string, body: UpdateClientBody, actorId: string): Promise<ClientRow> {
      if (body.permissions) checkPermissions(body.permissions);
      const now = clock.now();
      const updated = await database.withTenant(tenantId, async (trx) => {
        const row = await load(trx, tenantId, id);
        await trx
          .updateTable('clients')
          .set({
            ...(body.name !== undefined ? { name: body.name } : {}),
            ...(body.permissions !== undefined ? { permissions: toJson(body.permissions) } : {}),
            ...(body.status !== undefined ? { status: body.status } : {}),
            updated_at: now.toISOString(),
          })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .execute();
        if (body.status === 'disabled' && row.status === 'active') await cutOff(trx, row, now);
        await appendEvent(trx, { type: 'client.updated', tenantId, payload: payload(row, actorId) }, now);
        return load(trx, tenantId, id);
      });
      cache.delete(`${tenantId}/${updated.client_id}`);
      return updated;
    },

    async remove(tenantId: string, id: string, actorId: string): Promise<void> {
      const now = clock.now();
      const row = await database.withTenant(tenantId, async (trx) => {
        const found = await load(trx, tenantId, id);
        await trx.deleteFrom('clients').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
        await cutOff(trx, found, now);
        await appendEvent(trx, { type: 'client.deleted', tenantId, payload: payload(found, actorId) }, now);
        return found;
      });
      cache.delete(`${tenantId}/${row.client_id}`);
    },

    /** A new secret; the previous one keeps working for `overlapSeconds` so deployments can roll over. */
    async rotate(
      tenantId: string,
      id: string,
      overlapSeconds: number,
      actorId: string,
    ): Promise<ClientRow & { secret: string }> {
      const now = clock.now();
      const secret = secrets.generate();
      const previousExpires = new Date(now.getTime() + overlapSeconds * 1000).toISOString();
      const row = await database.withTenant(tenantId, async (trx) => {
        const found = await load(trx, tenantId, id);
        await trx
          .updateTable('clients')
          .set({
            secret_hash: secrets.hash(secret),
            previous_secret_hash: found.secret_hash,
            previous_secret_expires_at: previousExpires,
            updated_at: now.toISOString(),
          })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', id)
          .execute();
        await appendEvent(
          trx,
          {
            type: 'client.secret_rotated',
            tenantId,
            payload: { ...payload(found, actorId), previous_expires_at: previousExpires },
          },
          now,
        );
        return load(trx, tenantId, id);
      });
      cache.delete(`${tenantId}/${row.client_id}`);
      return { ...row, secret };
    },

    /** The active client these credentials identify (current secret, or the previous one during its overlap). */
    async authenticate(tenantId: string, clientId: string, secret: string): Promise<ClientRow | undefined> {
      const { row } = await known(tenantId, clientId);
      const nowIso = clock.now().toISOString();
      // Compare against both hashes every time, so timing does not reveal which one matched.
      const current = secrets.matches(secret, row?.secret_hash ?? secrets.hash('x'));
      const previous =
        secrets.matches(secret, row?.previous_secret_hash ?? null) &&
        (row?.previous_secret_expires_at ?? '') > nowIso;
      if (row?.status !== 'active' || !(current || previous)) return undefined;
      return row;
    },

    /** What a client's tokens may do, or undefined once it is disabled or deleted. */
    async permissions(tenantId: string, clientId: string): Promise<ReadonlySet<string> | undefined> {
      return (await known(tenantId, clientId)).permissions;
    },
  };
}

export type ClientService = ReturnType<typeof createClientService>;
