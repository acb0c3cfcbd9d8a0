import { Type } from 'typebox';
import { renderCardJson } from '../../../domain/card.ts';
import { OffsetClock } from '../../../domain/clock.ts';
import { DECLINE_REASONS } from '../../../domain/card-spending.ts';
import { CARD_CATEGORIES } from '../../../domain/card-rules.ts';
import { ApiError } from '../../../domain/errors.ts';
import { changeCard } from '../../../services/card-writes.ts';
import { simulateSpend } from '../../../services/sandbox.ts';
import type { App, AppDeps } from '../../app.ts';
import { principalOf, requireOperator, requireScopes } from '../../auth.ts';
import { writeGuards } from '../../write-guards.ts';
import { CardIdParams, cardIdOf, CardResponse, NoBody, sendCard, WRITE_SECURITY } from '../card-writes/schemas.ts';
import { sendJsonText } from '../../json-text.ts';

// qcards' sandbox (beyond Qonto, under its own prefix): what a real card would do by itself. Card actions use
// the organization's normal credentials (card.write) and role rules; moving the clock is global, so it needs
// the operator token.

export const SANDBOX_PREFIX = '/qcards/sandbox/v1';
const MAX_ADVANCE_MS = 20 * 365 * 86_400_000;

const SpendBody = Type.Object({
  amount: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000, description: 'Euros (cents are kept)' }),
  type: Type.Optional(Type.Union([Type.Literal('payment'), Type.Literal('atm')], { default: 'payment', description: 'A card payment or an ATM withdrawal' })),
  online: Type.Optional(Type.Boolean({ default: false })),
  foreign: Type.Optional(Type.Boolean({ default: false })),
  contactless: Type.Optional(Type.Boolean({ default: false })),
  category: Type.Optional(Type.Union([...CARD_CATEGORIES.map((c) => Type.Literal(c)), Type.Null()])),
}, { additionalProperties: false });

const AdvanceBody = Type.Object({
  seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 * 365 * 86_400 })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
}, { additionalProperties: false, minProperties: 1, maxProperties: 1 });

export function registerSandboxRoutes(app: App, deps: AppDeps): void {
  const { db } = deps.engine;
  const cardWrite = requireScopes(db, deps.clock, ['card.write']);
  const guards = writeGuards(deps);

  app.post(`${SANDBOX_PREFIX}/cards/:id/activate`, {
    schema: {
      tags: ['Sandbox'], summary: 'Activate a pending card', description: 'pending → live with pin_set; emits `activated`. Owners, admins and the holder.',
      security: WRITE_SECURITY, params: CardIdParams, body: NoBody, response: { 200: CardResponse },
    },
    onRequest: cardWrite, preHandler: guards.preHandler, onSend: guards.onSend,
  }, async (request, reply) => sendCard(reply, await changeCard(db, deps.clock, principalOf(request), cardIdOf(request.params), { kind: 'activate' })));

  app.post(`${SANDBOX_PREFIX}/cards/:id/payments`, {
    schema: {
      tags: ['Sandbox'], summary: 'Simulate a card payment or ATM withdrawal',
      description: `Approved or declined by the card's status, options, active days, categories and limits. Decline reasons: ${DECLINE_REASONS.join(', ')}.`,
      security: WRITE_SECURITY, params: CardIdParams, body: SpendBody,
      response: { 200: Type.Object({ result: Type.String(), decline_reason: Type.Union([Type.String(), Type.Null()]), card: Type.Object({}, { additionalProperties: true }) }) },
    },
    onRequest: cardWrite, preHandler: guards.preHandler, onSend: guards.onSend,
  }, async (request, reply) => {
    const b = request.body;
    const decision = await simulateSpend(db, deps.clock, principalOf(request), cardIdOf(request.params), {
      kind: b.type ?? 'payment', amount: b.amount, online: b.online ?? false, foreign: b.foreign ?? false,
      contactless: b.contactless ?? false, category: (b.category as string | null | undefined) ?? null,
    });
    return sendJsonText(reply, `{"result":"${decision.approved ? 'approved' : 'declined'}","decline_reason":${JSON.stringify(decision.reason)},"card":${renderCardJson(decision.card)}}`);
  });

  const ClockBody = Type.Object({ now: Type.String(), offset_seconds: Type.Number() });
  const clockState = () => ({
    now: deps.clock.now().toISOString(),
    offset_seconds: deps.clock instanceof OffsetClock ? deps.clock.offsetMs / 1000 : 0,
  });
  app.get(`${SANDBOX_PREFIX}/clock`, {
    schema: { tags: ['Sandbox'], summary: "The server's clock", security: [{ Operator: [] }], response: { 200: ClockBody } },
    onRequest: requireOperator(deps.config.operatorToken),
  }, async () => clockState());

  app.post(`${SANDBOX_PREFIX}/clock/advance`, {
    schema: {
      tags: ['Sandbox'], summary: 'Move the clock forward',
      description: 'Either `seconds` or `until` (a later date-time). Moves every time-driven rule: expiry, flash pre-expiry, counter roll-over, SCA and idempotency windows.',
      security: [{ Operator: [] }], body: AdvanceBody, response: { 200: ClockBody },
    },
    onRequest: requireOperator(deps.config.operatorToken),
  }, async (request) => {
    const clock = deps.clock;
    if (!(clock instanceof OffsetClock)) throw new ApiError(409, { code: 'clock_fixed', detail: 'this server runs on a clock that cannot be moved' });
    const { seconds, until } = request.body;
    const ms = seconds !== undefined ? seconds * 1000 : Date.parse(until!) - clock.now().getTime();
    if (ms < 0) throw new ApiError(422, { code: 'date_in_past', detail: 'the clock only moves forward: until must be later than now', source: { pointer: '/until' } });
    if (ms > MAX_ADVANCE_MS) throw new ApiError(422, { code: 'date_too_far', detail: 'the clock moves at most 20 years at a time', source: { pointer: '/until' } });
    clock.advance(ms);
    return clockState();
  });
}
