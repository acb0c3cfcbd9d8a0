import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import type { Clock } from '../domain/clock.ts';
import type { AttemptResult, ClaimedDelivery } from './delivery-store.ts';
import { parseRetryAfter } from './schedule.ts';
import { deliveryHeaders } from './sign.ts';

const EXCERPT_CHARS = 1024;
/**
 * A delivery whose card event is gone: its body cannot be built (./envelope.ts). Retention keeps the events of
 * pending deliveries and redelivery refuses such rows, so only a race with retention (or a hand-deleted event)
 * leads here; an empty or made-up body would be worse than none.
 */
const UNSENDABLE = 'its card event is no longer stored (past the retention): nothing to send';

/**
 * Text from a receiver as PostgreSQL can store it: text cannot hold NUL, and one answer with a NUL made the
 * whole batch of results fail to record, so those deliveries were sent again every lease, forever.
 */
const storable = (text: string): string => text.replaceAll('\u0000', '\uFFFD');
/** Bytes of a receiver's answer read at most; the rest is discarded with the connection. */
const MAX_READ_BYTES = 64 * 1024;

/** An attempt's result, and whether the receiver let it time out (connecting, or waiting for its answer). */
export interface Attempt extends AttemptResult {
  timedOut: boolean;
}

/**
 * POSTs one delivery, outside any transaction, and says what happened. Signed at send time (Qonto receivers
 * refuse timestamps older than 5 minutes, so a retry hours later carries a fresh one). A 2xx within the
 * timeout is delivered; 410 disables the subscription; anything else (3xx included: redirects are not
 * followed) is retried.
 */
export async function deliverOnce(
  dispatcher: Dispatcher,
  clock: Clock,
  delivery: ClaimedDelivery,
  timeoutMs: number,
): Promise<Attempt> {
  const attemptedAt = clock.now();
  const timestamp = Math.floor(attemptedAt.getTime() / 1000);
  const started = performance.now();
  const base = { id: delivery.id, subscriptionId: delivery.subscription_id, attemptedAt };
  if (delivery.body === null) {
    return { ...base, outcome: 'unsendable', statusCode: null, latencyMs: 0, error: UNSENDABLE, excerpt: null, retryAfter: null, timedOut: false };
  }
  const body = delivery.body;
  // A timer cleared once the answer is read, not AbortSignal.timeout: that one's timer fires after every
  // delivery, long done, and builds a DOMException each time (~4% of the worker's thread at 2,000 deliveries/s).
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(timeoutError()), timeoutMs);
  try {
    const response = await request(delivery.callback_url, {
      method: 'POST',
      dispatcher,
      headers: deliveryHeaders(delivery.secret, delivery.id, timestamp, body),
      body,
      signal: deadline.signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    const excerpt = await readExcerpt(response.body);
    const latencyMs = Math.round(performance.now() - started);
    const status = response.statusCode;
    const outcome = status >= 200 && status < 300 ? 'delivered' : status === 410 ? 'gone' : 'retry';
    const retryAfter = outcome === 'retry' ? parseRetryAfter(response.headers['retry-after'], attemptedAt) ?? null : null;
    return { ...base, outcome, statusCode: status, latencyMs, error: outcome === 'retry' ? `HTTP ${status}` : null, excerpt, retryAfter, timedOut: false };
  } catch (error) {
    const latencyMs = Math.round(performance.now() - started);
    const timedOut = isTimeout(error);
    return { ...base, outcome: 'retry', statusCode: null, latencyMs, error: describe(error, timedOut, timeoutMs), excerpt: null, retryAfter: null, timedOut };
  } finally {
    clearTimeout(timer);
  }
}

function timeoutError(): Error {
  const error = new Error('the delivery timed out');
  error.name = 'TimeoutError';
  return error;
}

/**
 * The answer's first MAX_READ_BYTES, as stored text (null when empty). Read with listeners, not `for await`: the
 * stream's async iterator made a few objects per answer, about 4% of what the API server allocated per change at
 * 1,000 changes/s (BENCHMARKS.md, "Webhook delivery", fourteenth session).
 */
function readExcerpt(body: Readable): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      resolve(size === 0 ? null : storable(Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS)));
    };
    body.on('data', (chunk: Buffer) => {
      // Chunks already buffered may still come after destroy().
      if (settled) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_READ_BYTES) {
        body.destroy();
        done();
      }
    });
    body.once('end', done);
    body.once('error', reject);
  });
}

type RequestError = { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };

function isTimeout(error: unknown): boolean {
  const e = error as RequestError;
  return e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT'
    || e.code === 'UND_ERR_CONNECT_TIMEOUT' || e.cause?.code === 'UND_ERR_CONNECT_TIMEOUT';
}

function describe(error: unknown, timedOut: boolean, timeoutMs: number): string {
  const e = error as RequestError;
  if (timedOut) return `timeout: no complete answer within ${timeoutMs} ms`;
  if (e.code === 'QCARDS_BLOCKED_ADDRESS' || e.cause?.code === 'QCARDS_BLOCKED_ADDRESS') {
    return `blocked address: ${e.message ?? e.cause?.message}`;
  }
  const code = e.code ?? e.cause?.code;
  return storable(`${code ? `${code}: ` : ''}${e.message ?? String(error)}`.slice(0, 500));
}
