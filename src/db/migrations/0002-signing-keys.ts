import { type Dialect, type Migration, TYPES, tenantRls } from './types.ts';

export const signingKeys: Migration = {
  version: 2,
  name: 'signing-keys',
  up(dialect: Dialect): string[] {
    const t = TYPES[dialect];
    const statements = [
      `CREATE TABLE signing_keys (
         tenant_id ${t.uuid} NOT NULL REFERENCES tenants (id),
         kid text NOT NULL,
         alg text NOT NULL,
         public_jwk ${t.json} NOT NULL,
         private_key_enc text NOT NULL,
         state text NOT NULL CHECK (state IN ('next', 'active', 'retired')),
         created_at ${t.time} NOT NULL,
         activated_at ${t.time},
         retired_at ${t.time},
         PRIMARY KEY (tenant_id, kid)
       )`,
      // At most one signing key per tenant: two replicas creating one at once cannot both win.
      `CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (tenant_id) WHERE state = 'active'`,
    ];
    if (dialect === 'postgres') statements.push(...tenantRls('signing_keys'));
    return statements;
  },
};
