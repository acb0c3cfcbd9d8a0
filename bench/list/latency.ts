import { Client } from 'undici';
import type { BenchCase } from './cases.ts';

// Single-client latency: one keep-alive connection, one request at a time, timed from sending to the last
// byte of the body. Every response is checked (status 200, exact meta.total_count, page length) after the
// clock stops, so the checks cost the measurement nothing.

export interface LatencyResult {
  case: BenchCase;
  n: number;
  p50: number;
  p99: number;
  max: number;
  /** The first wrong response, if any. */
  failure: string | undefined;
}

export interface LatencyOptions {
  warmup: number;
  requests: number;
  /** Stop a case early past this much measuring time (a slow case must not stall the run). */
  maxMs: number;
}

function check(c: BenchCase, status: number, text: string): string | undefined {
  if (status !== 200) return `status ${status}: ${text.slice(0, 200)}`;
  const body = JSON.parse(text) as { cards: unknown[]; meta: { total_count: number } };
  if (body.meta?.total_count !== c.expectedTotal) return `total_count ${body.meta?.total_count}, expected ${c.expectedTotal}`;
  const expectedLength = Math.max(0, Math.min(c.perPage, c.expectedTotal - (c.page - 1) * c.perPage));
  if (body.cards.length !== expectedLength) return `${body.cards.length} cards on the page, expected ${expectedLength}`;
  return undefined;
}

/** `checked: false` for the ceilings, whose page has no count (their answers are not qcards' to check). */
export async function measureLatency(origin: string, auth: string, c: BenchCase, options: LatencyOptions, checked = true): Promise<LatencyResult> {
  const client = new Client(origin, { keepAliveTimeout: 60_000 });
  const times: number[] = [];
  let failure: string | undefined;
  try {
    const started = performance.now();
    for (let i = 0; i < options.warmup + options.requests; i++) {
      const t = performance.now();
      const { statusCode, body } = await client.request({ method: 'GET', path: c.path, headers: { authorization: auth } });
      const text = await body.text();
      const elapsed = performance.now() - t;
      if (i >= options.warmup) times.push(elapsed);
      if (checked) failure ??= check(c, statusCode, text);
      if (performance.now() - started > options.maxMs && times.length >= 20) break;
    }
  } finally {
    await client.close();
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!;
  return { case: c, n: times.length, p50: q(0.5), p99: q(0.99), max: times[times.length - 1]!, failure };
}
