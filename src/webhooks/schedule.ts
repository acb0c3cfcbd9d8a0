// The retry schedule, published in docs/webhooks.md. Qonto says only "exponential backoff for a few days";
// the contract asks for exponential with jitter over at least 3 days.
//
// After failed attempt n (1-based) the next try waits min(10 s × 4^(n-1), 24 h), times a jitter factor drawn
// uniformly from [0.8, 1.2] so that receivers coming back up are not hit by every retry at once. Attempt 12 is
// the last: the waits sum to 400,210 s (4.6 days), at least 3.7 days with the smallest jitter.
// The SQL in delivery-store.ts computes the same formula; these constants feed it and the docs.

export const RETRY_BASE_SECONDS = 10;
export const RETRY_FACTOR = 4;
export const RETRY_CAP_SECONDS = 86_400;
export const RETRY_JITTER = 0.2;
export const MAX_ATTEMPTS = 12;
/** A receiver's Retry-After is obeyed up to one hour, and never less than one second. */
export const RETRY_AFTER_CAP_SECONDS = 3_600;

/** The nominal wait (seconds, before jitter) after failed attempt `attempt`. */
export function nominalDelaySeconds(attempt: number): number {
  return Math.min(RETRY_BASE_SECONDS * RETRY_FACTOR ** (attempt - 1), RETRY_CAP_SECONDS);
}

/** Retry-After as seconds (delta-seconds or HTTP date), clamped; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: Date): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  let seconds: number;
  if (/^\s*\d+\s*$/.test(text)) seconds = Number(text);
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    seconds = Math.ceil((at - now.getTime()) / 1000);
  }
  return Math.min(Math.max(seconds, 1), RETRY_AFTER_CAP_SECONDS);
}
