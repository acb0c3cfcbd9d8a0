import { createHmac, timingSafeEqual } from 'node:crypto';

// The receiver helper integrators import as `qcards/receiver`. Plain JavaScript (types in verify.d.ts) that
// depends on nothing but node:crypto, so any Node.js receiver can import it, or copy it, as it is, with no
// TypeScript toolchain.

/**
 * Checks Qonto's `X-Qonto-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` header.
 *
 * - `rawBody` must be the bytes as received, never a re-serialized object.
 * - Deliveries whose timestamp is more than `toleranceSeconds` (5 minutes, as Qonto advises) away from `now`
 *   are refused, which bounds replays of a captured request.
 * - Several `v1=` values are accepted (any may match), for secret rotation.
 * - The comparison takes the same time whatever the digest, so it leaks nothing about the expected value.
 *
 * @param {string | Uint8Array} rawBody
 * @param {string | null | undefined} header
 * @param {string} secret
 * @param {number} [toleranceSeconds]
 * @param {Date | number} [now]
 * @returns {boolean}
 */
export function verifyQontoSignature(rawBody, header, secret, toleranceSeconds = 300, now = new Date()) {
  if (typeof header !== 'string' || header.length === 0 || header.length > 4096 || secret.length === 0) return false;
  let timestamp;
  const signatures = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') timestamp = value;
    else if (key === 'v1') signatures.push(value);
  }
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp) || signatures.length === 0) return false;
  const nowSeconds = typeof now === 'number' ? now : Math.floor(now.getTime() / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;

  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody);
  const expected = createHmac('sha256', secret)
    .update(`${timestamp}.`)
    .update(body)
    .digest();
  let ok = false;
  for (const candidate of signatures) {
    if (!/^[0-9a-fA-F]{64}$/.test(candidate)) continue;
    // Compare every candidate (no early exit) so the timing does not depend on which one matched.
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) ok = true;
  }
  return ok;
}
