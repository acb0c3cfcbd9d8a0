import { Type } from 'typebox';
import { getCardJson } from '../../../services/card-list.ts';
import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { sendJsonText } from '../../json-text.ts';
import { CardPayload, ErrorBody } from '../../schemas/card.ts';

// GET /v2/cards/{id}: `{"card": …}` from the stored API JSON. The id is checked by the service, not by Ajv,
// so a malformed id is the same 404 as an unknown one (source.parameter `id`), never a 400.

export function registerGetCard(app: App, deps: AppDeps): void {
  app.get('/v2/cards/:id', {
    onRequest: requireScopes(deps.engine.db, deps.clock, ['card.read']),
    schema: {
      summary: 'Retrieve a card',
      description: 'One card the authenticated membership can see. Unknown, foreign and hidden cards are a 404. OAuth scope: card.read.',
      tags: ['Cards'],
      security: [{ OAuth: [] }, { SecretKey: [] }],
      params: Type.Object({ id: Type.String({ description: 'The card id (uuid).' }) }),
      response: { 200: Type.Object({ card: CardPayload }), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
    },
  }, async (request, reply) => {
    const json = await getCardJson(deps.engine.db, principalOf(request), request.params.id);
    return sendJsonText(reply, `{"card":${json}}`);
  });
}
