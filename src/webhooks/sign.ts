import { createHmac } from 'node:crypto';

// Qonto's signature, plus the Standard Webhooks headers (https://www.standardwebhooks.com) so receivers built
// on either convention can verify a delivery.

/** `t=<unix seconds>,v1=<lowercase hex HMAC-SHA256(secret, "<t>.<raw body>")>`, as Qonto documents it. */
export function qontoSignature(secret: string, timestamp: number, body: string): string {
  const digest = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${digest}`;
}

/**
 * Standard Webhooks' `webhook-signature`: `v1,<base64 HMAC-SHA256(key, "<id>.<t>.<body>")>`. The key is the
 * subscription secret's UTF-8 bytes, the same key as X-Qonto-Signature. (Standard Webhooks libraries instead
 * base64-decode what follows a `whsec_` prefix; docs/webhooks.md says how to verify with them.)
 */
export function standardWebhookSignature(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export const USER_AGENT = 'qcards-webhooks/0.1 (+https://github.com/qcards)';

/** Every header of one delivery try, signed at `timestamp` (unix seconds). */
export function deliveryHeaders(secret: string, id: string, timestamp: number, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'x-qonto-signature': qontoSignature(secret, timestamp, body),
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': standardWebhookSignature(secret, id, timestamp, body),
  };
}
