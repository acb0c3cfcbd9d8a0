import { Type } from 'typebox';
import { CARD_LEVELS, CARD_STATUSES } from '../../../db/schema.ts';
import { DEFAULT_PER_PAGE, DEFAULT_SORT, MAX_PER_PAGE, parseCardListQuery, SORT_KEYS } from '../../../domain/card-list.ts';
import { listCards } from '../../../services/card-list.ts';
import { MAX_PAGE } from '../../../domain/page-meta.ts';
import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { sendJsonItems } from '../../json-text.ts';
import { CardPayload } from '../../schemas/card.ts';
import { ErrorBody, PageMeta } from '../../schemas/common.ts';

// GET /v2/cards. The querystring schema documents the parameters in the OpenAPI document only: they are
// parsed by parseCardListQuery (src/domain/card-list.ts), which names each bad parameter as sent and applies
// the documented rules for repeated and empty values, so Ajv does not validate or coerce them here.

const SORTS = SORT_KEYS.flatMap((k) => [`${k}:asc`, `${k}:desc`]);
const uuidList = (description: string) => Type.Array(Type.String({ format: 'uuid' }), { description });

const querystring = Type.Object({
  query: Type.Optional(Type.String({
    description: 'Case-insensitive substring over the holder\'s first and last names and the card\'s id, nickname, ' +
      'last_digits, status, pre_expires_at, exp_year and exp_month. Terms under 3 characters scan the organization.',
  })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 1 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PER_PAGE, default: DEFAULT_PER_PAGE })),
  sort_by: Type.Optional(Type.Enum(SORTS, { default: DEFAULT_SORT })),
  'holder_ids[]': Type.Optional(uuidList('Cards of these holders (membership ids).')),
  'statuses[]': Type.Optional(Type.Array(Type.Enum(CARD_STATUSES))),
  'bank_account_ids[]': Type.Optional(uuidList('Cards attached to these bank accounts.')),
  'card_levels[]': Type.Optional(Type.Array(Type.Enum(CARD_LEVELS))),
  'ids[]': Type.Optional(uuidList('Cards with these ids.')),
});

export function registerListCards(app: App, deps: AppDeps): void {
  app.get('/v2/cards', {
    onRequest: requireScopes(deps.engine.db, deps.clock, ['card.read']),
    // Documentation only (see above): the raw query reaches the handler untouched.
    validatorCompiler: () => () => true,
    schema: {
      summary: 'List cards',
      description: 'The cards the authenticated membership can see, filtered, searched, sorted and paginated. OAuth scope: card.read.',
      tags: ['Cards'],
      security: [{ OAuth: [] }, { SecretKey: [] }],
      querystring,
      response: {
        200: Type.Object({ meta: PageMeta, cards: Type.Array(CardPayload) }),
        400: ErrorBody, 401: ErrorBody, 403: ErrorBody,
      },
    },
  }, async (request, reply) => {
    const params = parseCardListQuery(request.query as Record<string, unknown>);
    const page = await listCards(deps.engine.db, principalOf(request), params);
    // The cards' stored JSON is sent as-is: never parsed or serialized here.
    return sendJsonItems(reply, `{"meta":${JSON.stringify(page.meta)},"cards":[`, page.cards, ']}');
  });
}
