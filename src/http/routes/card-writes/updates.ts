import { Type, type TSchema } from 'typebox';
import type { CardChange } from '../../../domain/card-changes.ts';
import { changeCard } from '../../../services/card-writes.ts';
import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireScopes } from '../../auth.ts';
import { writeGuards } from '../../write-guards.ts';
import { ActiveDays, CardIdParams, cardIdOf, CardResponse, Categories, Euros, LimitFields, Nickname, OptionFields, sendCard, WRITE_SECURITY } from './schemas.ts';

// The four PATCH endpoints (owners and admins only), each `{"card": {…}}` with at least one field.

const patchBody = (fields: Record<string, TSchema>) =>
  Type.Object({ card: Type.Object(fields, { additionalProperties: false, minProperties: 1 }) }, { additionalProperties: false });

export const LimitsBody = patchBody({ ...LimitFields, payment_lifespan_limit: Type.Optional(Euros('Flash cards only: the whole budget')) });
export const NicknameBody = Type.Object({ card: Type.Object({ nickname: Nickname }, { additionalProperties: false }) }, { additionalProperties: false });
export const OptionsBody = patchBody(OptionFields);
export const RestrictionsBody = patchBody({ active_days: Type.Optional(ActiveDays), categories: Type.Optional(Categories) });

type Body = { card: Record<string, unknown> };

const OPERATIONS: Array<{ path: string; summary: string; description: string; body: TSchema; sca: boolean; change: (b: Body) => CardChange }> = [
  {
    path: 'limits', summary: "Update a card's limits", sca: true, body: LimitsBody,
    description: 'Whole euros; maxima per level and daily ≤ monthly (see docs/lifecycle.md). SCA when enabled.',
    change: (b) => ({ kind: 'limits', limits: b.card }),
  },
  { path: 'nickname', summary: "Update a card's nickname", sca: false, body: NicknameBody, description: '1 to 40 characters.', change: (b) => ({ kind: 'nickname', nickname: b.card.nickname as string }) },
  { path: 'options', summary: "Update a card's options", sca: false, body: OptionsBody, description: 'ATM and NFC can be switched on for physical cards only.', change: (b) => ({ kind: 'options', options: b.card }) },
  {
    path: 'restrictions', summary: "Update a card's restrictions", sca: false, body: RestrictionsBody,
    description: 'active_days 1–7 without repeats (at least one), categories from the known list ([] allows all).',
    change: (b) => ({ kind: 'restrictions', active_days: b.card.active_days as number[] | undefined, categories: b.card.categories as string[] | undefined }),
  },
];

export function registerCardUpdateRoutes(app: App, deps: AppDeps): void {
  for (const op of OPERATIONS) {
    const guards = writeGuards(deps, { sca: op.sca });
    app.patch(`/v2/cards/:id/${op.path}`, {
      schema: {
        tags: ['Cards'], summary: op.summary, description: `${op.description} Owners and admins only.`, security: WRITE_SECURITY,
        params: CardIdParams, body: op.body, response: { 200: CardResponse },
      },
      onRequest: requireScopes(deps.engine.db, deps.clock, ['card.write']),
      preHandler: guards.preHandler,
      onSend: guards.onSend,
    }, async (request, reply) => {
      const card = await changeCard(deps.engine.db, deps.clock, principalOf(request), cardIdOf(request.params), op.change(request.body as Body));
      return sendCard(reply, card);
    });
  }
}
