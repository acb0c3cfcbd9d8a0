import { Type } from 'typebox';
import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { redeliver, replay, sendTestEvent } from '../../../services/webhook-log.ts';
import { SECURITY } from '../webhook-subscriptions/schemas.ts';
import { PREFIX, TAGS } from './events.ts';

const Queued = Type.Object({ id: Type.String({ format: 'uuid' }), status: Type.Literal('pending') });

export function registerRedeliver(app: App, deps: AppDeps): void {
  app.post(`${PREFIX}/events/:event_id/redeliver`, {
    schema: {
      tags: TAGS,
      summary: 'Deliver one event again',
      description: 'Queues it now with a fresh retry schedule. The envelope id stays the same, so receivers dedupe it.',
      security: SECURITY,
      params: Type.Object({ id: Type.String(), event_id: Type.String() }),
      response: { 202: Queued },
    },
    onRequest: requireScopes(deps.engine.db, deps.clock, ['webhook']),
  }, async (request, reply) => {
    const id = await redeliver(deps.engine.db, deps.clock, principalOf(request), request.params.id, request.params.event_id);
    return reply.status(202).send({ id, status: 'pending' as const });
  });
}

export function registerReplay(app: App, deps: AppDeps): void {
  app.post(`${PREFIX}/replay`, {
    schema: {
      tags: TAGS,
      summary: 'Deliver again every failed event, or every event since a time',
      description: 'Body: {"status":"failed"} or {"since":"2026-01-01T00:00:00Z"} (exactly one).',
      security: SECURITY,
      params: Type.Object({ id: Type.String() }),
      body: Type.Object({
        status: Type.Optional(Type.Literal('failed')),
        since: Type.Optional(Type.String({ format: 'date-time' })),
      }, { additionalProperties: false }),
      response: { 202: Type.Object({ replayed: Type.Integer() }) },
    },
    onRequest: requireScopes(deps.engine.db, deps.clock, ['webhook']),
  }, async (request, reply) => {
    const replayed = await replay(deps.engine.db, deps.clock, principalOf(request), request.params.id, request.body ?? {});
    return reply.status(202).send({ replayed });
  });
}

export function registerTestEvent(app: App, deps: AppDeps): void {
  app.post(`${PREFIX}/test`, {
    schema: {
      tags: TAGS,
      summary: 'Send a test event to a subscription',
      description: 'A v1/cards envelope whose data is {"event":"test"}, signed and retried like any delivery.',
      security: SECURITY,
      params: Type.Object({ id: Type.String() }),
      response: { 202: Queued },
    },
    onRequest: requireScopes(deps.engine.db, deps.clock, ['webhook']),
  }, async (request, reply) => {
    const id = await sendTestEvent(deps.engine.db, deps.clock, principalOf(request), request.params.id);
    return reply.status(202).send({ id, status: 'pending' as const });
  });
}

/** qcards' own webhook endpoints, beside Qonto's. */
export function registerWebhookLogRoutes(app: App, deps: AppDeps): void {
  registerRedeliver(app, deps);
  registerReplay(app, deps);
  registerTestEvent(app, deps);
}
