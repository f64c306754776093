import assert from 'node:assert/strict';
import { solveChallenge } from 'altcha-lib/v1';
import type { FastifyInstance } from 'fastify';
import type { AltchaChallenge } from '../../src/security/index.ts';

/** What the ALTCHA widget submits: base64 of the challenge (without `maxnumber`) plus the number found. */
export async function solveAltcha(challenge: AltchaChallenge): Promise<string> {
  const solution = await solveChallenge(
    challenge.challenge,
    challenge.salt,
    challenge.algorithm,
    challenge.maxnumber,
  ).promise;
  assert.ok(solution, 'challenge must be solvable within maxnumber');
  const { maxnumber: _max, ...rest } = challenge;
  return Buffer.from(JSON.stringify({ ...rest, number: solution.number, took: solution.took })).toString(
    'base64',
  );
}

/** A solved challenge of the tenant's captcha route, as a browser would post it. */
export async function solvedCaptcha(app: FastifyInstance, slug: string): Promise<string> {
  const res = await app.inject({ method: 'GET', url: `/t/${slug}/v1/captcha/challenge` });
  return solveAltcha(res.json() as AltchaChallenge);
}
