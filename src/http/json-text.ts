import type { FastifyReply } from 'fastify';

/**
 * Sends JSON that is already text (pre-rendered cards joined by string concatenation). Fastify sends a string
 * with a JSON content type as-is, so a route's response schema documents the body without re-serializing
 * it: JSON.stringify of a 100-card page per request capped a server at ~900 req/s (DESIGN.md).
 */
export function sendJsonText(reply: { type(contentType: string): unknown }, text: string): FastifyReply {
  const r = reply as unknown as FastifyReply;
  return r.type('application/json; charset=utf-8').send(text);
}
