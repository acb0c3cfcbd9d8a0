/**
 * Checks Qonto's `X-Qonto-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` header
 * against the raw body as received, in constant time, refusing timestamps more than `toleranceSeconds`
 * (default 300) away from `now`. See verify.js.
 */
export function verifyQontoSignature(
  rawBody: string | Uint8Array,
  header: string | null | undefined,
  secret: string,
  toleranceSeconds?: number,
  now?: Date | number,
): boolean;
