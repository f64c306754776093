import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AllowEntry, type AuditReport, judgeAudit } from '../../scripts/audit-report.ts';

// Report shapes as `npm audit --json` (npm 7 and later, report version 2) prints them.
const NOW = new Date('2026-11-29T12:00:00Z');
const advisory = (severity: string, ghsa: string, title = 'Prototype pollution') => ({
  source: 1_100_000,
  name: 'lib',
  title,
  url: `https://github.com/advisories/${ghsa}`,
  severity,
  range: '<1.2.3',
});
const report = (vulnerabilities: NonNullable<AuditReport['vulnerabilities']>) => ({
  auditReportVersion: 2,
  vulnerabilities,
  metadata: {},
});

test('no vulnerabilities: passed', () => {
  assert.equal(judgeAudit(report({}), [], NOW).outcome, 'passed');
});

test('a high or critical advisory fails; moderate and low do not', () => {
  const verdict = judgeAudit(
    report({
      lib: { severity: 'critical', via: [advisory('critical', 'GHSA-aaaa-bbbb-cccc')] },
      other: { severity: 'moderate', via: [advisory('moderate', 'GHSA-dddd-eeee-ffff')] },
      low: { severity: 'low', via: [advisory('low', 'GHSA-gggg-hhhh-jjjj')] },
    }),
    [],
    NOW,
  );
  assert.equal(verdict.outcome, 'failed');
  assert.deepEqual(
    verdict.lines.filter((l) => l.startsWith('FAIL')),
    ['FAIL critical lib: Prototype pollution (GHSA-AAAA-BBBB-CCCC)'],
  );
});

test('an inherited advisory is judged once, under the package that has it', () => {
  const verdict = judgeAudit(
    report({
      lib: { severity: 'high', via: [advisory('high', 'GHSA-aaaa-bbbb-cccc')] },
      app: { severity: 'high', via: ['lib'] },
    }),
    [],
    NOW,
  );
  assert.equal(verdict.lines.filter((l) => l.startsWith('FAIL')).length, 1);
});

test('the allow-list accepts an advisory for its package until its date, not after', () => {
  const entry: AllowEntry = {
    advisory: 'GHSA-aaaa-bbbb-cccc',
    package: 'lib',
    reason: 'the vulnerable function is not used',
    until: '2026-12-31',
  };
  const found = report({ lib: { severity: 'high', via: [advisory('high', 'GHSA-aaaa-bbbb-cccc')] } });
  assert.equal(judgeAudit(found, [entry], NOW).outcome, 'passed');
  assert.equal(judgeAudit(found, [{ ...entry, until: '2026-11-28' }], NOW).outcome, 'failed');
  assert.equal(judgeAudit(found, [{ ...entry, package: 'other' }], NOW).outcome, 'failed');
  assert.equal(judgeAudit(found, [{ ...entry, advisory: 'GHSA-zzzz-zzzz-zzzz' }], NOW).outcome, 'failed');
});

test('a refused audit request is unavailable, never passed', () => {
  const refused = {
    message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
    statusCode: 405,
  };
  const verdict = judgeAudit(refused, [], NOW);
  assert.equal(verdict.outcome, 'unavailable');
  assert.match(verdict.lines[0]!, /405/);
  assert.equal(judgeAudit({}, [], NOW).outcome, 'unavailable');
});
