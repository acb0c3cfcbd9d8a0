import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onSendAsyncHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import { ApiError } from '../domain/errors.ts';
import { claimKey, completeKey, releaseKey, type KeyScope } from '../services/idempotency.ts';
import { requireSca } from '../services/sca.ts';
import type { AppDeps } from './app.ts';
import { principalOf } from './auth.ts';

// Route hooks shared by every write (cards, sandbox, webhook subscriptions): X-Qonto-Idempotency-Key (claim before the handler, store or release
// the claim when the answer is sent) and SCA (after the idempotency check, so a replayed success needs no
// second SCA). Route order: onRequest auth → validation → preHandler [idempotency, sca] → handler → onSend.

export const IDEMPOTENCY_HEADER = 'x-qonto-idempotency-key';
export const SCA_HEADER = 'x-qonto-sca-session-token';
const KEY_MAX_LENGTH = 255;

const owned = new WeakMap<FastifyRequest, KeyScope>();

export interface WriteGuards {
  preHandler: preHandlerAsyncHookHandler[];
  onSend: onSendAsyncHookHandler<unknown>[];
}

export function writeGuards(deps: AppDeps, options: { idempotencyRequired?: boolean; sca?: boolean } = {}): WriteGuards {
  const { db } = deps.engine;
  const idempotency: preHandlerAsyncHookHandler = async function idempotency(request: FastifyRequest, reply: FastifyReply) {
    const raw = request.headers[IDEMPOTENCY_HEADER];
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (key === undefined || key === '') {
      if (!options.idempotencyRequired) return;
      throw new ApiError(400, { code: 'required', detail: 'the X-Qonto-Idempotency-Key header is required (a UUID v4 is recommended)', source: { parameter: 'X-Qonto-Idempotency-Key' } });
    }
    if (key.length > KEY_MAX_LENGTH) {
      throw new ApiError(400, { code: 'too_long', detail: `X-Qonto-Idempotency-Key must be at most ${KEY_MAX_LENGTH} characters long`, source: { parameter: 'X-Qonto-Idempotency-Key' } });
    }
    const p = principalOf(request);
    const scope: KeyScope = { organizationId: p.organizationId, membershipId: p.membershipId, key, method: request.method, path: request.url.split('?')[0]! };
    const claim = await claimKey(db, deps.clock, scope);
    if (claim.kind === 'replay') {
      await reply.code(claim.statusCode).header('content-type', claim.contentType).header('x-qonto-idempotent-replay', 'true').send(claim.body);
      return reply;
    }
    owned.set(request, scope);
  };

  const sca: preHandlerAsyncHookHandler = async function sca(request: FastifyRequest) {
    if (!deps.config.scaEnabled) return;
    const raw = request.headers[SCA_HEADER];
    await requireSca(db, deps.clock, principalOf(request), requestHash(request), Array.isArray(raw) ? raw[0] : raw);
  };

  const store: onSendAsyncHookHandler<unknown> = async function storeAnswer(request, reply, payload) {
    const scope = owned.get(request);
    if (!scope) return payload;
    owned.delete(request);
    // A 204 (a deleted subscription) has no payload: its answer is stored as an empty body.
    const body = payload === undefined || payload === null ? '' : payload;
    const success = reply.statusCode >= 200 && reply.statusCode < 300 && typeof body === 'string';
    if (success) {
      const contentType = String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8');
      await completeKey(db, deps.clock, scope, deps.config.idempotencyWindowSeconds, { statusCode: reply.statusCode, contentType, body });
    } else {
      await releaseKey(db, scope);
    }
    return payload;
  };

  return { preHandler: options.sca ? [idempotency, sca] : [idempotency], onSend: [store] };
}

/** What an SCA session is bound to: the method, the path and the body of the request. */
export function requestHash(request: FastifyRequest): string {
  return createHash('sha256').update(`${request.method} ${request.url.split('?')[0]}\n${JSON.stringify(request.body ?? null)}`).digest('hex');
}
