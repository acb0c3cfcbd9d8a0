import { Type } from 'typebox';
import { ApiError } from '../../../domain/errors.ts';
import { CARD_VIEW_LANGUAGES, issueCardView, type CardViewLanguage } from '../../../services/card-view.ts';
import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { CardIdParams, cardIdOf, WRITE_SECURITY } from './schemas.ts';

export const CARD_VIEW_PATH = '/qcards/card-view';

/** `Accept-Language: fr`, `fr-FR` or `fr-FR,fr;q=0.9` all mean French; anything else outside the six is a 400. */
export function languageOf(header: string | undefined): CardViewLanguage {
  const primary = (header ?? '').split(',')[0]!.trim().split(/[-_;]/)[0]!.toLowerCase();
  if ((CARD_VIEW_LANGUAGES as readonly string[]).includes(primary)) return primary as CardViewLanguage;
  throw new ApiError(400, {
    code: header ? 'not_in_list' : 'required',
    detail: `the Accept-Language header is required and must be one of: ${CARD_VIEW_LANGUAGES.join(', ')}`,
    source: { parameter: 'Accept-Language' },
  });
}

export function registerDataView(app: App, deps: AppDeps): void {
  app.get('/v2/cards/:id/data_view', {
    schema: {
      tags: ['Cards'], summary: 'Retrieve a card iframe url',
      description: `A single-use link, valid 5 minutes, to a page showing the PAN, expiry and CVV. Accept-Language: ${CARD_VIEW_LANGUAGES.join(', ')}. The holder, owners and admins.`,
      security: WRITE_SECURITY, params: CardIdParams,
      response: { 200: Type.Object({ iframe_url: Type.String() }) },
    },
    onRequest: requireScopes(deps.engine.db, deps.clock, ['card.read']),
  }, async (request) => {
    const language = languageOf(request.headers['accept-language']);
    const token = await issueCardView(deps.engine.db, deps.clock, principalOf(request), cardIdOf(request.params), language);
    const base = (deps.config.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
    return { iframe_url: `${base}${CARD_VIEW_PATH}/${token}` };
  });
}
