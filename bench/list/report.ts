import type { LatencyResult } from './latency.ts';
import type { LoadResult } from './load-child.ts';

// The results as an aligned text table (for the terminal) and as markdown (to paste into BENCHMARKS.md).

export interface Table {
  title: string;
  head: string[];
  rows: string[][];
}

export const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');
const pct = (share: number): string => (share >= 0.1 ? `${(share * 100).toFixed(0)}%` : `${(share * 100).toFixed(2)}%`);
const verdict = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');

export function latencyTable(title: string, results: LatencyResult[], limitMs: number): Table {
  return {
    title,
    head: ['request', 'matches', 'n', 'p50 ms', 'p99 ms', 'max ms', 'target', 'result'],
    rows: results.map((r) => {
      const reportedOnly = r.case.group === 'search-most';
      const result = r.failure ? `FAIL (wrong: ${r.failure})` : reportedOnly ? 'reported' : verdict(r.p99 <= limitMs);
      return [r.case.name, `${r.case.expectedTotal.toLocaleString('en')} (${pct(r.case.share)})`, String(r.n), ms(r.p50), ms(r.p99), ms(r.max),
        reportedOnly ? '(separate)' : `p99 ≤ ${limitMs} ms`, result];
    }),
  };
}

/** Single-client latency of qcards' page 1 next to ceiling (a) serving the same page, measured in the same run. */
export function ceilingLatencyTable(rows: Array<{ perPage: number; qcards: LatencyResult | undefined; sql: LatencyResult }>, limitMs: number): Table {
  return {
    title: 'Single client, page 1, default sort: qcards against ceiling (a) (one SQL statement, no count, no auth)',
    head: ['per_page', 'qcards p50 ms', 'qcards p99 ms', '(a) p50 ms', '(a) p99 ms', 'target', '(a) itself within the target'],
    rows: rows.map((r) => [String(r.perPage), ms(r.qcards?.p50 ?? NaN), ms(r.qcards?.p99 ?? NaN), ms(r.sql.p50), ms(r.sql.p99),
      `p99 ≤ ${limitMs} ms`, r.sql.p99 <= limitMs ? 'yes' : 'NO: the target is below what this machine serves bare']),
  };
}

export interface ThroughputRow {
  perPage: number;
  qcards: LoadResult | undefined;
  sql: LoadResult;
  memory: LoadResult;
}

const rps = (r: LoadResult | undefined): string =>
  r === undefined ? '-' : `${r.reqPerSec.toFixed(0)}${r.non2xx + r.errors > 0 ? ` (${r.non2xx} non-2xx, ${r.errors} errors)` : ''}`;

export function throughputTable(rows: ThroughputRow[], connections: number, seconds: string): Table {
  return {
    title: `Throughput, ${connections} connections, ${seconds} s each, page 1, default sort`,
    head: ['per_page', 'qcards req/s', 'p99 ms', '(a) one-SQL req/s', '(b) memory req/s', 'qcards/(a)', 'qcards/(b)', 'target', 'result'],
    rows: rows.map((r) => {
      const a = r.qcards ? r.qcards.reqPerSec / r.sql.reqPerSec : NaN;
      const b = r.qcards ? r.qcards.reqPerSec / r.memory.reqPerSec : NaN;
      const clean = r.qcards !== undefined && r.qcards.non2xx + r.qcards.errors === 0;
      return [String(r.perPage), rps(r.qcards), ms(r.qcards?.p99 ?? NaN), rps(r.sql), rps(r.memory), a.toFixed(2), b.toFixed(2), '≥ 0.80 × (a)',
        r.qcards === undefined ? 'FAIL (not measured)' : verdict(clean && a >= 0.8)];
    }),
  };
}

export function rssTable(rows: Array<{ name: string; mb: number; limit: number | undefined }>): Table {
  return {
    title: 'Server peak RSS (VmHWM)',
    head: ['server', 'peak RSS MB', 'target', 'result'],
    rows: rows.map((r) => [r.name, r.mb.toFixed(0), r.limit === undefined ? '(reported)' : `≤ ${r.limit} MB`, r.limit === undefined ? 'reported' : verdict(r.mb <= r.limit)]),
  };
}

export function renderText(t: Table): string {
  const widths = t.head.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [t.title, line(t.head), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n');
}

export function renderMarkdown(t: Table): string {
  const esc = (s: string) => s.replaceAll('|', '\\|');
  return [`**${t.title}**`, '', `| ${t.head.map(esc).join(' | ')} |`, `|${t.head.map(() => '---').join('|')}|`,
    ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}
