import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from 'undici';
import type { BenchCase } from './cases.ts';

// Single-client latency: one keep-alive connection, one request at a time, timed from sending to the last
// byte of the body. Every response is checked (status 200, exact meta.total_count, page length), in a way
// that costs the measurement nothing.
//
// The timed requests are sent by wrk (Debian's `wrk`, with latency.lua) when it is installed, after warm-up
// requests from this process that are checked in full. A client in Node on the same two cores adds its own
// time and, mostly, its own tail: against one server, page 1 at per_page 100 measured p50 1.55 / p99 4.2 ms from
// wrk and p50 1.6–2.3 / p99 8.5–11.2 ms from a bare node:net client, the same from undici (BENCHMARKS.md, sixth
// session). Without wrk, undici sends them all, and the report says so.

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

function check(c: BenchCase, page: number, status: number, text: string): string | undefined {
  if (status !== 200) return `status ${status}: ${text.slice(0, 200)}`;
  const body = JSON.parse(text) as { cards: unknown[]; meta: { total_count: number; current_page: number } };
  if (body.meta?.total_count !== c.expectedTotal) return `total_count ${body.meta?.total_count}, expected ${c.expectedTotal}`;
  if (body.meta.current_page !== page) return `current_page ${body.meta.current_page}, expected ${page}`;
  const expectedLength = Math.max(0, Math.min(c.perPage, c.expectedTotal - (page - 1) * c.perPage));
  if (body.cards.length !== expectedLength) return `${body.cards.length} cards on the page, expected ${expectedLength}`;
  return undefined;
}

/** The case's path asking for `page`: a walk asks for the next page each time (the `page` parameter, not `per_page`). */
const pathForPage = (c: BenchCase, page: number): string => (c.walk ? c.path.replace(/([?&])page=\d+/, `$1page=${page}`) : c.path);

/** Whether wrk is on the PATH: it then sends the timed requests. */
export const hasWrk = spawnSync('wrk', ['--version']).error === undefined;

/** `checked: false` for the ceilings, whose page has no count (their answers are not qcards' to check). */
export async function measureLatency(origin: string, auth: string, c: BenchCase, options: LatencyOptions, checked = true): Promise<LatencyResult> {
  if (!hasWrk) return measureInProcess(origin, auth, c, options, checked);
  // Warm-up from here, every answer checked in full; then wrk, from where the warm-up stopped (a walk goes on).
  const warm = await measureInProcess(origin, auth, c, { ...options, warmup: 0, requests: options.warmup }, checked, true);
  const timed = await measureWithWrk(origin, auth, c, options, checked, warm.bodyLength, c.page + options.warmup);
  return { ...timed, failure: warm.failure ?? timed.failure };
}

async function measureWithWrk(origin: string, auth: string, c: BenchCase, options: LatencyOptions, checked: boolean, bodyLength: number | undefined, firstPage: number): Promise<LatencyResult> {
  const path = pathForPage(c, firstPage);
  const script = fileURLToPath(new URL('./latency.lua', import.meta.url));
  const args = [
    '-t1', '-c1', `-d${Math.ceil(options.maxMs / 1000)}s`, '--timeout', '30s', '-s', script,
    ...(auth ? ['-H', `authorization: ${auth}`] : []), `${origin}${path}`,
    '--', String(options.requests), String(checked ? c.expectedTotal : -1),
    String(!checked || bodyLength === undefined || c.walk ? -1 : bodyLength), String(c.walk ? firstPage : -1),
  ];
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('stopped\n') && !child.killed) child.kill('SIGINT');
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const line = out.split('\n').find((l) => l.startsWith('{"n"'));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${out}`);
  const r = JSON.parse(line) as { n: number; p50: number; p99: number; max: number; errors: number; wrong: string | null };
  // wrk stops at -d whatever the count: a case that got too few answers in that time is not a measurement.
  const failure = r.wrong ?? (r.errors > 0 ? `${r.errors} socket errors or timeouts`
    : r.n < Math.min(options.requests, 20) ? `only ${r.n} answers within ${options.maxMs / 1000} s` : undefined);
  if (r.n === 0) return { case: c, n: 0, p50: NaN, p99: NaN, max: NaN, failure };
  return { case: c, n: r.n, p50: r.p50 / 1000, p99: r.p99 / 1000, max: r.max / 1000, failure };
}

/** undici from this process; `keepAll` checks every answer in full (the warm-up before wrk). */
async function measureInProcess(origin: string, auth: string, c: BenchCase, options: LatencyOptions, checked: boolean, keepAll = false): Promise<LatencyResult & { bodyLength?: number }> {
  const client = new Client(origin, { keepAliveTimeout: 60_000 });
  const times: number[] = [];
  const answers: Array<{ page: number; statusCode: number; length: number; bytes: Buffer | undefined }> = [];
  try {
    const started = performance.now();
    for (let i = 0; i < options.warmup + options.requests; i++) {
      const t = performance.now();
      const page = c.walk ? c.page + i : c.page;
      const { statusCode, body } = await client.request({ method: 'GET', path: pathForPage(c, page), headers: { authorization: auth } });
      // Bytes, not text, and checked after the last request: decoding and parsing a 184 KB body made this
      // client's own garbage collections land in later requests' timed windows (a 100-card page: p50 2.9 ms
      // here against 1.3 ms from wrk on the same server). Every tenth body is kept whole and checked in full;
      // the others must have its status and length (nothing changes the data during a run). Every page of a
      // walk is a different page, so each is kept and checked in full.
      const bytes = Buffer.from(await body.arrayBuffer());
      const elapsed = performance.now() - t;
      if (i >= options.warmup) times.push(elapsed);
      if (checked) answers.push({ page, statusCode, length: bytes.length, bytes: keepAll || c.walk || i % 10 === 0 ? bytes : undefined });
      if (performance.now() - started > options.maxMs && times.length >= 20) break;
    }
  } finally {
    await client.close();
  }
  let failure: string | undefined;
  for (const a of answers) {
    if (a.bytes) failure ??= check(c, a.page, a.statusCode, a.bytes.toString('utf8'));
    else if (a.statusCode !== answers[0]!.statusCode || a.length !== answers[0]!.length) {
      failure ??= `status ${a.statusCode} and ${a.length} bytes, where the first answer had ${answers[0]!.statusCode} and ${answers[0]!.length}`;
    }
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!;
  if (times.length === 0) return { case: c, n: 0, p50: NaN, p99: NaN, max: NaN, failure, bodyLength: answers[0]?.length };
  return { case: c, n: times.length, p50: q(0.5), p99: q(0.99), max: times[times.length - 1]!, failure, bodyLength: answers[0]?.length };
}
