// `npm run audit`: the production dependencies against the registry's advisories. Fails on any
// high or critical advisory not in security/audit-allowlist.json. When the registry refuses the
// audit request (some mirrors and proxies answer 405), it says so and passes, unless
// AUDIT_REQUIRED=true, where a missing answer fails as a finding would.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AllowEntry, judgeAudit } from './audit-report.ts';

const allowList = JSON.parse(
  readFileSync(new URL('../security/audit-allowlist.json', import.meta.url), 'utf8'),
) as AllowEntry[];

let output: string;
try {
  output = execFileSync('npm', ['audit', '--omit=dev', '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
} catch (error) {
  // npm exits non-zero when it finds anything; its report is still on stdout.
  output = String((error as { stdout?: string }).stdout ?? '');
}

const verdict = judgeAudit(JSON.parse(output || '{}'), allowList, new Date());
for (const line of verdict.lines) process.stdout.write(`${line}\n`);
const required = process.env.AUDIT_REQUIRED === 'true';
process.exit(verdict.outcome === 'failed' || (verdict.outcome === 'unavailable' && required) ? 1 : 0);
