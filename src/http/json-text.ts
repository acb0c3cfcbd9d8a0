import type { FastifyReply } from 'fastify';

/**
 * Sends JSON that is already text (pre-rendered cards joined by string concatenation). Fastify sends a string
 * with a JSON content type as-is, so a route's response schema documents the body without re-serializing
 * it: JSON.stringify of a 100-card page per request capped a server at ~900 req/s (DESIGN.md).
 */
export function sendJsonText(reply: FastifyReply, text: string): FastifyReply {
  return reply.type('application/json; charset=utf-8').send(text);
}

const COMMA = Buffer.from(',');

/**
 * Sends `head`, then `items` comma-separated, then `tail`, as one Buffer assembled from one small Buffer per
 * item. Joining a 100-card page into one JS string first would allocate a 184 KB string outside V8's young
 * generation for every request, which is what made large pages slow (src/db/queries/card-list.ts).
 */
export function sendJsonItems(reply: FastifyReply, head: string, items: readonly string[], tail: string): FastifyReply {
  const parts: Buffer[] = [Buffer.from(head)];
  for (let i = 0; i < items.length; i++) {
    if (i > 0) parts.push(COMMA);
    parts.push(Buffer.from(items[i]!));
  }
  parts.push(Buffer.from(tail));
  return reply.type('application/json; charset=utf-8').send(Buffer.concat(parts));
}
