// The report every benchmark returns: sections of load scenarios in one shape, plus tables of their
// own where a figure is not a load run (engine decisions, purge times). Rendered as Markdown for the
// console and bench/results/<date>.md, kept as data for bench/results/<date>.json.
import type { LoadResult } from './load.ts';

export interface Table {
  title: string;
  head: string[];
  rows: (string | number)[][];
}

export interface Section {
  name: string;
  title: string;
  scenarios: LoadResult[];
  tables: Table[];
  notes: string[];
  /** Figures kept in the JSON report only (series too long for a table). */
  data: Record<string, unknown>;
}

export const section = (name: string, title: string): Section => ({
  name,
  title,
  scenarios: [],
  tables: [],
  notes: [],
  data: {},
});

const cell = (value: string | number) =>
  typeof value === 'number' ? value.toLocaleString('en', { maximumFractionDigits: 2 }) : value;

export function markdownTable(head: readonly string[], rows: readonly (string | number)[][]): string {
  const right = head.map((_, i) => rows.some((r) => typeof r[i] === 'number'));
  return [
    `| ${head.join(' | ')} |`,
    `|${right.map((r) => (r ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

const LOAD_HEAD = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'errors', '429', 'RSS MB'];

const loadRow = (r: LoadResult): (string | number)[] => [
  r.name,
  r.rps,
  r.p50,
  r.p99,
  r.max,
  r.errors,
  r.limited,
  r.rssMb ?? '–',
];

export function sectionMarkdown(s: Section): string {
  const parts = [`## ${s.title}`];
  if (s.scenarios.length > 0) parts.push(markdownTable(LOAD_HEAD, s.scenarios.map(loadRow)));
  for (const t of s.tables) parts.push(`${t.title ? `${t.title}\n\n` : ''}${markdownTable(t.head, t.rows)}`);
  if (s.notes.length > 0) parts.push(s.notes.map((n) => `- ${n}`).join('\n'));
  return `${parts.join('\n\n')}\n`;
}
