// Reading `npm audit --json` (report version 2): which high and critical advisories are left once
// the allow-list is applied. Pure, so the decision is tested without the registry.

/** An advisory accepted on purpose: why, and until when (then it fails again, to be looked at anew). */
export interface AllowEntry {
  /** The advisory's GitHub id, `GHSA-xxxx-xxxx-xxxx`. */
  advisory: string;
  package: string;
  reason: string;
  /** `YYYY-MM-DD`: the entry stops counting after this day. */
  until: string;
}

interface Advisory {
  source?: number;
  name?: string;
  title?: string;
  url?: string;
  severity?: string;
}

export interface AuditReport {
  vulnerabilities?: Record<string, { severity?: string; via?: (string | Advisory)[] }>;
  statusCode?: number;
  message?: string;
}

export interface AuditVerdict {
  /** `unavailable`: the registry gave no advisories (refused or unreachable), so nothing is known. */
  outcome: 'passed' | 'failed' | 'unavailable';
  lines: string[];
}

const BLOCKING = new Set(['high', 'critical']);

const ghsaOf = (advisory: Advisory) => advisory.url?.match(/GHSA(-[a-z0-9]{4}){3}/i)?.[0]?.toUpperCase();

export function judgeAudit(report: AuditReport, allowList: readonly AllowEntry[], now: Date): AuditVerdict {
  if (report.vulnerabilities === undefined) {
    const why = report.message ?? 'no report';
    return { outcome: 'unavailable', lines: [`audit unavailable: the registry gave no advisories (${why})`] };
  }
  const today = now.toISOString().slice(0, 10);
  const allowed = (pkg: string, id: string | undefined) =>
    allowList.some((e) => e.package === pkg && e.advisory.toUpperCase() === id && e.until >= today);
  const findings: string[] = [];
  const accepted: string[] = [];
  for (const [pkg, vulnerability] of Object.entries(report.vulnerabilities)) {
    // `via` names the advisories of this package itself (objects) or the dependencies it inherits
    // them from (strings); those are reported under their own package.
    for (const via of vulnerability.via ?? []) {
      if (typeof via === 'string' || !BLOCKING.has(via.severity ?? '')) continue;
      const id = ghsaOf(via);
      const line = `${via.severity} ${pkg}: ${via.title ?? 'advisory'} (${id ?? via.url ?? via.source})`;
      (allowed(pkg, id) ? accepted : findings).push(line);
    }
  }
  const lines = [
    ...findings.map((l) => `FAIL ${l}`),
    ...accepted.map((l) => `allowed ${l}`),
    findings.length === 0
      ? `audit passed: no high or critical advisory${accepted.length > 0 ? ' outside the allow-list' : ''}`
      : `audit failed: ${findings.length} high or critical advisor${findings.length === 1 ? 'y' : 'ies'}`,
  ];
  return { outcome: findings.length === 0 ? 'passed' : 'failed', lines };
}
