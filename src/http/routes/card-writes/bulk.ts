import { Type } from 'typebox';
import { renderCardJson } from '../../../domain/card.ts';
import { createCards, type NewCardBody } from '../../../services/card-create.ts';
import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { writeGuards } from '../../write-guards.ts';
import { NewCard, WRITE_SECURITY } from './schemas.ts';
import { sendJsonText } from '../../json-text.ts';

/** Qonto does not publish a ceiling; 100 keeps one all-or-nothing transaction short. */
export const BULK_MAX_CARDS = 100;

export const BulkCreateBody = Type.Object({
  cards: Type.Array(Type.Object({ card: NewCard }, { additionalProperties: false }), { minItems: 1, maxItems: BULK_MAX_CARDS }),
}, { additionalProperties: false });

export function registerBulkCreateCards(app: App, deps: AppDeps): void {
  const guards = writeGuards(deps, { sca: true });
  app.post('/v2/cards/bulk', {
    schema: {
      tags: ['Cards'],
      summary: 'Bulk create cards',
      description: `1 to ${BULK_MAX_CARDS} cards, all or nothing; results in request order. SCA when enabled.`,
      security: WRITE_SECURITY,
      body: BulkCreateBody,
      response: { 200: Type.Object({ cards: Type.Array(Type.Object({ card: Type.Object({}, { additionalProperties: true }) })) }) },
    },
    onRequest: requireScopes(deps.engine.db, deps.clock, ['card.write']),
    preHandler: guards.preHandler,
    onSend: guards.onSend,
  }, async (request, reply) => {
    const cards = await createCards(deps.engine.db, deps.clock, principalOf(request), request.body.cards.map((c) => c.card as NewCardBody), (i) => `/cards/${i}/card`);
    return sendJsonText(reply, `{"cards":[${cards.map((c) => `{"card":${renderCardJson(c)}}`).join(',')}]}`);
  });
}
