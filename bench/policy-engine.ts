// biome-ignore-all lint/suspicious/noTemplateCurlyInString: policies use ${...} variable syntax in plain strings.
// Policy engine benchmark on the shared reference workload
// (../shared/bench/policy-scenario.md). Run: npm run bench:policy
// POLICY_SCENARIO overrides the path of policy-scenario.cjs.

import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import {
  type AuthzRequest,
  type CompiledPolicy,
  type CompiledPolicySet,
  combinePolicies,
  compilePolicies,
  compilePolicy,
  decide,
  flattenContext,
  isAllowed,
  type PolicySource,
  rolePolicy,
} from '../src/policies/engine/index.ts';
import { type Section, section, sectionMarkdown, type Table } from './support/report.ts';

interface ScenarioRequest {
  user: string;
  tenant: string;
  type: string;
  action: string;
  resource: string;
  owner: string;
  ctx?: { mfa: boolean; ip: string };
  expected: boolean;
}
interface World {
  roles: { name: string; perms: string[] }[];
  tenants: string[];
  users: { id: string; grants: { role: string; tenant: string }[] }[];
}
interface ScenarioModule {
  buildWorld(): World;
  buildRequests(world: World, scenario: 1 | 2): ScenarioRequest[];
}

const repoRoot = path.resolve(import.meta.dirname, '..');
const scenarioPath =
  process.env.POLICY_SCENARIO ?? path.resolve(repoRoot, '../shared/bench/policy-scenario.cjs');
const scenarios = createRequire(import.meta.url)(scenarioPath) as ScenarioModule;

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

const WARMUP_PASSES = 10;
const RUNS = 5;
const PASSES_PER_RUN = 25;
const BATCH = 16;

const heapUsed = (): number => {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
};
const elapsedMs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;

// Scenario 2's three tenant guardrails, in policy language.
const guardrails = (tenant: string): PolicySource => ({
  id: `tenant:${tenant}:guardrails`,
  document: {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DeleteNeedsMfa',
        Effect: 'Deny',
        Action: '*:delete',
        Resource: '*',
        Condition: { Bool: { 'subject.mfa': 'false' } },
      },
      {
        Sid: 'ReadOnlyFromCorpNet',
        Effect: 'Deny',
        Action: '*:read',
        Resource: '*',
        Condition: { NotIpAddress: { 'request.ip': '10.0.0.0/8' } },
      },
      {
        Sid: 'ProjectUpdateByOwner',
        Effect: 'Deny',
        Action: 'project:update',
        Resource: '*',
        Condition: { StringNotEquals: { 'resource.owner': '${subject.id}' } },
      },
    ],
  },
});

interface Workload {
  sets: CompiledPolicySet[];
  requests: AuthzRequest[];
  expected: boolean[];
}
interface CompileStats {
  subjects: number;
  ms: number;
  heapMb: number;
}

/** Each (user, tenant) is a subject; its set holds its roles in that tenant (+ guardrails in scenario 2). */
function subjectSources(
  world: World,
  scenario: 1 | 2,
  requests: ScenarioRequest[],
): Map<string, PolicySource[]> {
  const roles = new Map(world.roles.map((r) => [r.name, rolePolicy(`role:${r.name}`, r.perms)]));
  const tenantRails = new Map(world.tenants.map((t) => [t, guardrails(t)]));
  const subjects = new Map<string, PolicySource[]>();
  const sourcesOf = (user: string, tenant: string): PolicySource[] => {
    const key = `${user}@${tenant}`;
    let sources = subjects.get(key);
    if (sources === undefined) {
      const rails = tenantRails.get(tenant);
      sources = scenario === 2 && rails !== undefined ? [rails] : [];
      subjects.set(key, sources);
    }
    return sources;
  };
  for (const user of world.users) {
    for (const grant of user.grants) {
      const role = roles.get(grant.role);
      if (role !== undefined) sourcesOf(user.id, grant.tenant).push(role);
    }
  }
  // Subjects with no grant in the requested tenant (cross-tenant requests) have no role policies.
  for (const r of requests) sourcesOf(r.user, r.tenant);
  return subjects;
}

/** Compiles every subject set before timing, either fully per subject or sharing compiled policies. */
function compileSubjects(sources: Map<string, PolicySource[]>, shared: boolean) {
  const before = heapUsed();
  const start = process.hrtime.bigint();
  const sets = new Map<string, CompiledPolicySet>();
  const compiled = new Map<PolicySource, CompiledPolicy>();
  const compileShared = (source: PolicySource): CompiledPolicy => {
    let policy = compiled.get(source);
    if (policy === undefined) {
      policy = compilePolicy(source);
      compiled.set(source, policy);
    }
    return policy;
  };
  for (const [key, list] of sources) {
    sets.set(key, shared ? combinePolicies(list.map(compileShared)) : compilePolicies(list));
  }
  const ms = elapsedMs(start);
  const heapMb = (heapUsed() - before) / 2 ** 20;
  return { sets, stats: { subjects: sets.size, ms, heapMb } satisfies CompileStats };
}

function toWorkload(
  scenario: 1 | 2,
  requests: ScenarioRequest[],
  sets: Map<string, CompiledPolicySet>,
): Workload {
  const workload: Workload = { sets: [], requests: [], expected: [] };
  for (const r of requests) {
    const set = sets.get(`${r.user}@${r.tenant}`);
    if (set === undefined) throw new Error(`no subject set for ${r.user}@${r.tenant}`);
    const context =
      scenario === 1
        ? flattenContext({ subject: { id: r.user, tenant: r.tenant } })
        : flattenContext({
            subject: { id: r.user, tenant: r.tenant, mfa: r.ctx?.mfa },
            request: { ip: r.ctx?.ip },
            resource: { owner: r.owner, tenant: r.tenant },
          });
    workload.sets.push(set);
    workload.requests.push({ action: `${r.type}:${r.action}`, resource: `${r.type}/${r.resource}`, context });
    workload.expected.push(r.expected);
  }
  return workload;
}

/** One pass over the workload; returns the number of decisions that differ from `expected`. */
function pass(w: Workload): number {
  let mismatches = 0;
  for (let i = 0; i < w.requests.length; i++) {
    const set = w.sets[i];
    const request = w.requests[i];
    if (set === undefined || request === undefined || isAllowed(set, request) !== w.expected[i]) mismatches++;
  }
  return mismatches;
}

interface Timing {
  perSecond: number;
  runs: number[];
  p50: number;
  p99: number;
  mismatches: number;
}

function time(w: Workload): Timing {
  let mismatches = 0;
  for (let i = 0; i < WARMUP_PASSES; i++) mismatches += pass(w);
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    for (let p = 0; p < PASSES_PER_RUN; p++) mismatches += pass(w);
    runs.push((PASSES_PER_RUN * w.requests.length) / (elapsedMs(start) / 1000));
  }
  // Latency: ns per decision, sampled over small batches so timer overhead stays small.
  const samples: number[] = [];
  for (let p = 0; p < 3; p++) {
    for (let i = 0; i + BATCH <= w.requests.length; i += BATCH) {
      let wrong = 0;
      const start = process.hrtime.bigint();
      for (let j = i; j < i + BATCH; j++) {
        const set = w.sets[j];
        const request = w.requests[j];
        if (set === undefined || request === undefined || isAllowed(set, request) !== w.expected[j]) wrong++;
      }
      samples.push(Number(process.hrtime.bigint() - start) / BATCH);
      mismatches += wrong;
    }
  }
  samples.sort((a, b) => a - b);
  return {
    perSecond: median(runs),
    runs,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    mismatches,
  };
}

/** The explaining form must agree with the fast path and name a statement whenever it decides. */
function explainPass(w: Workload): number {
  let mismatches = 0;
  for (let i = 0; i < w.requests.length; i++) {
    const set = w.sets[i];
    const request = w.requests[i];
    const d = set === undefined || request === undefined ? undefined : decide(set, request);
    const consistent = d !== undefined && (d.reason === 'implicitDeny') === (d.matched.length === 0);
    if (!consistent || (d.decision === 'allow') !== w.expected[i]) mismatches++;
  }
  return mismatches;
}

function timeExplanations(w: Workload): { mismatches: number; perSecond: number } {
  let mismatches = explainPass(w) + explainPass(w);
  const runs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const start = process.hrtime.bigint();
    mismatches += explainPass(w);
    runs.push(w.requests.length / (elapsedMs(start) / 1000));
  }
  return { mismatches, perSecond: median(runs) };
}

/** A subject whose single policy holds `n` statements over distinct actions. */
function scaledSet(n: number): { set: CompiledPolicySet; requests: AuthzRequest[]; compileMs: number } {
  const statements = Array.from({ length: n }, (_, i) => ({
    Effect: i % 10 === 9 ? 'Deny' : 'Allow',
    Action: `svc${i % 50}:op${i}`,
    Resource: `res/${i}/*`,
    ...(i % 10 === 9 ? { Condition: { StringEquals: { 'subject.tenant': 'other' } } } : {}),
  }));
  const start = process.hrtime.bigint();
  const set = compilePolicies([
    { id: `scaled-${n}`, document: { Version: '2012-10-17', Statement: statements } },
  ]);
  const compileMs = elapsedMs(start);
  const context = flattenContext({ subject: { id: 'u1', tenant: 't0' } });
  const requests = Array.from({ length: 1000 }, (_, k) => {
    const i = (k * 7919) % Math.min(n, 64);
    return { action: `svc${i % 50}:op${i}`, resource: `res/${i}/x`, context };
  });
  return { set, requests, compileMs };
}

function timeScaled(set: CompiledPolicySet, requests: AuthzRequest[]): number {
  let allowed = 0;
  const passOnce = (): void => {
    for (const r of requests) if (isAllowed(set, r)) allowed++;
  };
  for (let i = 0; i < 50; i++) passOnce();
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 200; i++) passOnce();
    runs.push(Number(process.hrtime.bigint() - start) / (200 * requests.length));
  }
  if (allowed === 0) throw new Error('scaled workload allowed nothing');
  return median(runs);
}

/** The whole benchmark; `failures` counts decisions that differ from the scenario's expectation. */
export function policyBench(): { section: Section; failures: number } {
  const world = scenarios.buildWorld();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const result = section('policy', 'Policy engine (single thread, in process)');
  const decisions: Table = {
    title:
      'reference workload: subject sets compiled before timing; p50/p99 per decision over 16-decision batches',
    head: [
      'scenario: subject sets',
      'subjects',
      'compile ms',
      'heap MB',
      '+cache MB',
      'decisions/s (median)',
      'p50 ns',
      'p99 ns',
      'mismatches',
    ],
    rows: [],
  };
  let failures = 0;
  const notes: string[] = [];
  for (const scenario of [1, 2] as const) {
    const requests = scenarios.buildRequests(world, scenario);
    const sources = subjectSources(world, scenario, requests);
    for (const shared of [true, false]) {
      const { sets, stats } = compileSubjects(sources, shared);
      const workload = toWorkload(scenario, requests, sets);
      const beforeRuns = heapUsed();
      const t = time(workload);
      // Candidate lists are cached per compiled policy and action as requests arrive.
      const cacheMb = (heapUsed() - beforeRuns) / 2 ** 20;
      const label = `${scenario}: ${shared ? 'shared compiled policies' : 'compilePolicies per subject'}`;
      decisions.rows.push([
        label,
        stats.subjects,
        round(stats.ms, 1),
        round(stats.heapMb, 1),
        round(cacheMb, 1),
        Math.round(t.perSecond),
        Math.round(t.p50),
        Math.round(t.p99),
        t.mismatches,
      ]);
      const check = timeExplanations(workload);
      notes.push(
        `${label}: isAllowed runs/s ${t.runs.map((r) => fmt(r)).join(' ')}; ` +
          `decide() ${fmt(check.perSecond)}/s, ${fmt(check.mismatches)} mismatches`,
      );
      failures += t.mismatches + check.mismatches;
    }
  }
  const scaled: Table = {
    title: 'decision time vs subject set size (one policy; statements indexed by action)',
    head: ['statements', 'compile ms', 'ns/decision'],
    rows: [],
  };
  for (const n of [10, 1_000, 100_000]) {
    const { set, requests, compileMs } = scaledSet(n);
    scaled.rows.push([n, round(compileMs, 1), round(timeScaled(set, requests), 1)]);
  }
  result.tables.push(decisions, scaled);
  result.notes.push(
    `workload ${scenarioPath}; node ${process.version}, ${os.cpus().length} CPUs, load average ${load} at the start`,
    `every decision checked against expected: ${failures === 0 ? 'all equal' : `${failures} MISMATCHES`}`,
    ...notes,
  );
  return { section: result, failures };
}

if (import.meta.main) {
  const { section: result, failures } = policyBench();
  process.stdout.write(`${sectionMarkdown(result)}\n`);
  process.exitCode = failures === 0 ? 0 : 1;
}
