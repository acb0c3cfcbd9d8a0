import { Type } from 'typebox';
import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { listDeliveries } from '../../../services/webhook-log.ts';
import { CARD_EVENTS } from '../../../db/schema.ts';
import { MAX_PAGE, pageMeta } from '../../../domain/page-meta.ts';
import { PageMeta } from '../../schemas/common.ts';
import { SECURITY } from '../webhook-subscriptions/schemas.ts';

export const PREFIX = '/qcards/webhooks/v1/subscriptions/:id';
export const TAGS = ['qcards: webhook log and replay'];

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

export const Attempt = Type.Object({
  attempted_at: Type.String({ format: 'date-time' }),
  status_code: Nullable(Type.Integer()),
  latency_ms: Type.Integer(),
  error: Nullable(Type.String()),
  response_excerpt: Nullable(Type.String()),
});

export const Event = Type.Object({
  id: Type.String({ format: 'uuid', description: 'The envelope id: stable across retries, replays and redeliveries.' }),
  event_id: Nullable(Type.String({ format: 'uuid' })),
  type: Type.String(),
  event: Type.String(),
  status: Type.Enum(['pending', 'delivered', 'failed']),
  created_at: Type.String({ format: 'date-time' }),
  next_attempt_at: Nullable(Type.String({ format: 'date-time' })),
  delivered_at: Nullable(Type.String({ format: 'date-time' })),
  last_status_code: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  body: Nullable(Type.String({ description: 'The exact bytes POSTed (and signed); null once its card event is past the retention (the delivery goes at the next removal run).' })),
  attempts: Type.Array(Attempt),
});

const Query = Type.Object({
  status: Type.Optional(Type.Enum(['pending', 'delivered', 'failed'])),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  // The names an event can have: any other value (a NUL reached SQL as a 500) is a 400 naming the parameter.
  event: Type.Optional(Type.Enum([...CARD_EVENTS, 'test'])),
  page: Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 }),
  per_page: Type.Integer({ minimum: 1, maximum: 100, default: 100 }),
});

export function registerListEvents(app: App, deps: AppDeps): void {
  app.get(`${PREFIX}/events`, {
    schema: {
      tags: TAGS,
      summary: "List a subscription's events and their delivery attempts",
      description: 'Newest first. Filters: status (pending, delivered, failed), since (created at or after), event (created, locked, …, test).',
      security: SECURITY,
      params: Type.Object({ id: Type.String() }),
      querystring: Query,
      response: { 200: Type.Object({ events: Type.Array(Event), meta: PageMeta }) },
    },
    onRequest: requireScopes(deps.engine.db, deps.clock, ['webhook']),
  }, async (request) => {
    const q = request.query;
    const { events, total } = await listDeliveries(deps.engine.db, principalOf(request), request.params.id, {
      status: q.status as 'pending' | 'delivered' | 'failed' | undefined,
      since: q.since ? new Date(q.since) : undefined,
      event: q.event,
      page: q.page,
      perPage: q.per_page,
    });
    return { events, meta: pageMeta(q.page, q.per_page, total) };
  });
}
