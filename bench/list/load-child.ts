import { Pool } from 'undici';

// The load generator, in its own process so it does not share an event loop with the parent or the server:
// `connections` keep-alive connections, each sending its next request as soon as the previous response's
// body has been read in full, for a fixed duration after a warm-up. The same driver measures qcards and
// both ceilings, so their ratios compare like with like.

export interface LoadJob {
  origin: string;
  path: string;
  headers: Record<string, string>;
  connections: number;
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  requests: number;
  non2xx: number;
  errors: number;
  bytes: number;
  seconds: number;
  reqPerSec: number;
  p50: number;
  p99: number;
}

async function run(job: LoadJob): Promise<LoadResult> {
  const pool = new Pool(job.origin, { connections: job.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  let measuring = false;
  let stop = false;
  const latencies: number[] = [];
  let non2xx = 0, errors = 0, bytes = 0;
  const loop = async () => {
    while (!stop) {
      const t = performance.now();
      try {
        const { statusCode, body } = await pool.request({ method: 'GET', path: job.path, headers: job.headers });
        let n = 0;
        for await (const chunk of body) n += (chunk as Buffer).length;
        if (!measuring) continue;
        latencies.push(performance.now() - t);
        bytes += n;
        if (statusCode < 200 || statusCode >= 300) non2xx++;
      } catch {
        if (measuring) errors++;
      }
    }
  };
  const loops = Array.from({ length: job.connections }, loop);
  await new Promise((r) => setTimeout(r, job.warmupMs));
  measuring = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, job.durationMs));
  measuring = false;
  const seconds = (performance.now() - started) / 1000;
  stop = true;
  await Promise.all(loops);
  await pool.close();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { requests: latencies.length, non2xx, errors, bytes, seconds, reqPerSec: latencies.length / seconds, p50: q(0.5), p99: q(0.99) };
}

process.on('message', (job: LoadJob) => {
  run(job).then((result) => {
    process.send!(result);
    process.exit(0);
  });
});

// Never outlive the benchmark (a parent killed mid-run leaves no server behind).
process.on('disconnect', () => process.exit(0));
