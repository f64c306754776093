// What the hardware allows, to read the service's figures against: argon2id hashes per second at the
// service's configured cost, and Ed25519 signatures and verifications per second of an access token
// as the service signs it (src/tokens/jws.ts).
import { generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { type Config, loadConfig } from '../../src/config/index.ts';
import { signJws } from '../../src/tokens/jws.ts';
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

/**
 * Hashes per second with one in flight per core: the most the hardware gives for a memory-hard hash
 * (more in flight compete for the memory bus and caches, and the rate falls).
 */
async function argon2Rate(seconds: number): Promise<{ inFlight: number; perSecond: number }> {
  const hasher = createPasswordHasher({
    memoryCost: serviceDefaults.ARGON2_MEMORY_KIB,
    timeCost: serviceDefaults.ARGON2_ITERATIONS,
    parallelism: serviceDefaults.ARGON2_PARALLELISM,
  });
  const inFlight = availableParallelism();
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

/**
 * One core, one operation at a time, for a second each: Ed25519 signatures and verifications alone
 * (node:crypto) over the signing input of an access token as the service issues it.
 */
function signatureRates(): { signPerSecond: number; verifyPerSecond: number } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const issuer = 'http://127.0.0.1:8080/t/bench';
  const iat = Math.floor(Date.now() / 1000);
  const token = signJws(
    { alg: 'EdDSA', kid: 'bench', typ: 'at+jwt' },
    {
      tid: randomUUID(),
      sid: randomUUID(),
      amr: ['pwd'],
      iss: issuer,
      sub: randomUUID(),
      aud: issuer,
      iat,
      exp: iat + 600,
      jti: randomUUID(),
    },
    privateKey,
  );
  const input = Buffer.from(token.slice(0, token.lastIndexOf('.')));
  const signature = sign(null, input, privateKey);
  const rate = (op: () => unknown) => {
    const until = performance.now() + 1000;
    let n = 0;
    while (performance.now() < until) {
      op();
      n++;
    }
    return n;
  };
  return {
    signPerSecond: rate(() => sign(null, input, privateKey)),
    verifyPerSecond: rate(() => verify(null, input, publicKey, signature)),
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
    jwt: signatureRates(),
  };
}

export function baselineLines(b: Baseline): string[] {
  return [
    `raw ${b.argon2.label}, ${b.argon2.inFlight} in flight: ${b.argon2.hashesPerSecond} hashes/s on ${b.cores} cores`,
    `raw Ed25519 over an access token, one core: sign ${b.jwt.signPerSecond.toLocaleString('en')}/s, verify ${b.jwt.verifyPerSecond.toLocaleString('en')}/s`,
  ];
}
