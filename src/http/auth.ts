import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Db } from '../db/engine.ts';
import type { Clock } from '../domain/clock.ts';
import { ApiError, forbidden, unauthorized } from '../domain/errors.ts';
import type { Scope } from '../domain/scopes.ts';
import { authenticate, type Principal } from '../services/credentials.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

const FAILURE_DETAIL = {
  missing: 'the Authorization header is missing: send "Bearer <access token>" or "<login>:<secret key>"',
  malformed: 'the Authorization header must be "Bearer <access token>" or "<login>:<secret key>"',
  invalid: 'the credentials are unknown, revoked or expired',
} as const;

/**
 * An onRequest hook (it runs before body parsing and validation, so a caller without credentials learns
 * nothing about the endpoint) that authenticates and checks that every scope in `scopes` was granted.
 */
export function requireScopes(db: Db, clock: Clock, scopes: readonly Scope[]): onRequestAsyncHookHandler {
  return async function authorize(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const result = await authenticate(db, clock, request.headers.authorization);
    if (typeof result === 'string') throw unauthorized(FAILURE_DETAIL[result]);
    const missing = scopes.filter((s) => !result.scopes.has(s));
    if (missing.length > 0) {
      throw forbidden(`missing required oauth scope${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
    }
    request.principal = result;
  };
}

/** The authenticated caller of a route guarded by requireScopes. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new ApiError(500, { code: 'internal_server_error', detail: 'route is missing its auth hook' });
  return request.principal;
}

/** The operator API's guard: `Authorization: Bearer <operator token>` from the configuration. */
export function requireOperator(token: string | undefined): onRequestAsyncHookHandler {
  return async function authorizeOperator(request: FastifyRequest): Promise<void> {
    if (!token) throw forbidden('the operator API is disabled: set QCARDS_OPERATOR_TOKEN to enable it');
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) throw unauthorized('the operator API needs "Authorization: Bearer <operator token>"');
    const given = Buffer.from(match[1]!);
    const expected = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw unauthorized('the operator token is wrong');
    }
  };
}
