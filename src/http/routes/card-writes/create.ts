import { Type } from 'typebox';
import { createCards, type NewCardBody } from '../../../services/card-create.ts';
import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { writeGuards } from '../../write-guards.ts';
import { CardResponse, NewCard, sendCard, WRITE_SECURITY } from './schemas.ts';

export const CreateCardBody = Type.Object({ card: NewCard }, { additionalProperties: false });

export function registerCreateCard(app: App, deps: AppDeps): void {
  const guards = writeGuards(deps, { idempotencyRequired: true, sca: true });
  app.post('/v2/cards', {
    schema: {
      tags: ['Cards'],
      summary: 'Create a card',
      description: 'Owners and admins create a card of any level for any member. Requires X-Qonto-Idempotency-Key. SCA when enabled.',
      security: WRITE_SECURITY,
      body: CreateCardBody,
      response: { 200: CardResponse },
    },
    onRequest: requireScopes(deps.engine.db, deps.clock, ['card.write']),
    preHandler: guards.preHandler,
    onSend: guards.onSend,
  }, async (request, reply) => {
    const [card] = await createCards(deps.engine.db, deps.clock, principalOf(request), [request.body.card as NewCardBody], () => '/card');
    return sendCard(reply, card!);
  });
}
