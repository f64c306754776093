// What the hardware allows, to read the service's figures against: argon2id hashes per second at the
// service's configured cost, and EdDSA JWT signatures and verifications per second through jose,
// with the claims and checks the service uses (src/tokens/access-tokens.ts).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { jwtVerify, SignJWT } from 'jose';
import { type Config, loadConfig } from '../../src/config/index.ts';
import { createPasswordHasher } from '../../src/users/index.ts';

/** The configuration a service started with no settings has: the cost the benchmarks measure at. */
export const serviceDefaults: Config = loadConfig({}).config;

export const argon2Label = (
  c: Pick<Config, 'ARGON2_MEMORY_KIB' | 'ARGON2_ITERATIONS' | 'ARGON2_PARALLELISM'>,
) => `argon2id m=${c.ARGON2_MEMORY_KIB} KiB, t=${c.ARGON2_ITERATIONS}, p=${c.ARGON2_PARALLELISM}`;

export interface Baseline {
  cores: number;
  argon2: { label: string; inFlight: number; hashesPerSecond: number };
  jwt: { signPerSecond: number; verifyPerSecond: number };
}

/** Hashes per second with as many in flight as libuv has threads, as a serving process would run them. */
async function argon2Rate(seconds: number): Promise<{ inFlight: number; perSecond: number }> {
  const hasher = createPasswordHasher({
    memoryCost: serviceDefaults.ARGON2_MEMORY_KIB,
    timeCost: serviceDefaults.ARGON2_ITERATIONS,
    parallelism: serviceDefaults.ARGON2_PARALLELISM,
  });
  const inFlight = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const until = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        await hasher.hash('benchmark passphrase 2026');
        done++;
      }
    }),
  );
  return { inFlight, perSecond: Math.round(done / seconds) };
}

/** One core, one operation at a time, for a second each. */
async function jwtRates(): Promise<{ signPerSecond: number; verifyPerSecond: number }> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const issuer = 'http://127.0.0.1:8080/t/bench';
  const sign = () =>
    new SignJWT({
      tid: randomUUID(),
      sid: randomUUID(),
      amr: ['pwd'],
      iss: issuer,
      sub: randomUUID(),
      aud: issuer,
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 600,
      jti: randomUUID(),
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'bench', typ: 'at+jwt' })
      .sign(privateKey);
  const rate = async (op: () => Promise<unknown>) => {
    const until = performance.now() + 1000;
    let n = 0;
    while (performance.now() < until) {
      await op();
      n++;
    }
    return n;
  };
  const tokens = await Promise.all(Array.from({ length: 100 }, sign));
  let i = 0;
  return {
    signPerSecond: await rate(sign),
    verifyPerSecond: await rate(() =>
      jwtVerify(tokens[i++ % tokens.length] as string, publicKey, {
        algorithms: ['EdDSA'],
        issuer,
        audience: issuer,
        typ: 'at+jwt',
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      }),
    ),
  };
}

export async function measureBaseline(): Promise<Baseline> {
  const argon2 = await argon2Rate(3);
  return {
    cores: availableParallelism(),
    argon2: {
      label: argon2Label(serviceDefaults),
      inFlight: argon2.inFlight,
      hashesPerSecond: argon2.perSecond,
    },
    jwt: await jwtRates(),
  };
}

export function baselineLines(b: Baseline): string[] {
  return [
    `raw ${b.argon2.label}, ${b.argon2.inFlight} in flight: ${b.argon2.hashesPerSecond} hashes/s on ${b.cores} cores`,
    `raw EdDSA JWT through jose, one core: sign ${b.jwt.signPerSecond.toLocaleString('en')}/s, verify ${b.jwt.verifyPerSecond.toLocaleString('en')}/s`,
  ];
}
