import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { CARD_LEVELS } from '../../../db/schema.ts';
import { renderCardJson, type CardRecord } from '../../../domain/card.ts';
import { CARD_CATEGORIES, NICKNAME_MAX_LENGTH } from '../../../domain/card-rules.ts';
import { notFound } from '../../../domain/errors.ts';
import { isUuid } from '../../../domain/uuid.ts';
import { sendJsonText } from '../../json-text.ts';

// Request schemas of the card writes (types and formats → 400 naming the field) and the one way a write
// answers: `{"card": …}` from the same renderer as the stored api_json, so a write's answer and a later GET
// are byte-identical.


/** Malformed ids are answered like unknown ones (404), so ids cannot be probed. */
export function cardIdOf(params: { id: string }): string {
  if (!isUuid(params.id)) throw notFound('card');
  return params.id;
}

export const CardIdParams = Type.Object({ id: Type.String({ description: 'The card id (uuid)' }) });

/** The body of a write that takes none: no body, `null` or `{}`; any field is unknown, so a 400 (CONTRACT.md). */
export const NoBody = Type.Unsafe<Record<string, never> | null>({
  // One schema with two types, not a union: a union reported "must be null" beside the unknown field.
  type: ['object', 'null'], properties: {}, additionalProperties: false, description: 'No body (or an empty object).',
});

export const Euros = (description: string) => Type.Integer({ minimum: 0, maximum: 1_000_000, description: `${description}, whole euros` });

export const ActiveDays = Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
  minItems: 1, maxItems: 7, uniqueItems: true, description: 'Days the card can be used: 1 = Monday … 7 = Sunday, no repeats',
});
export const Categories = Type.Array(Type.Union(CARD_CATEGORIES.map((c) => Type.Literal(c))), {
  uniqueItems: true, maxItems: CARD_CATEGORIES.length, description: 'Allowed merchant categories; [] allows all',
});
export const Nickname = Type.String({ minLength: 1, maxLength: NICKNAME_MAX_LENGTH, pattern: '\\S', description: `1 to ${NICKNAME_MAX_LENGTH} characters, not only spaces` });

export const LimitFields = {
  atm_monthly_limit: Type.Optional(Euros('ATM withdrawals per calendar month')),
  atm_daily_limit_option: Type.Optional(Type.Boolean()),
  atm_daily_limit: Type.Optional(Euros('ATM withdrawals per day')),
  payment_monthly_limit: Type.Optional(Euros('Payments per calendar month')),
  payment_daily_limit_option: Type.Optional(Type.Boolean()),
  payment_daily_limit: Type.Optional(Euros('Payments per day')),
  payment_transaction_limit_option: Type.Optional(Type.Boolean()),
  payment_transaction_limit: Type.Optional(Euros('One payment')),
};

export const OptionFields = {
  atm_option: Type.Optional(Type.Boolean()),
  nfc_option: Type.Optional(Type.Boolean()),
  online_option: Type.Optional(Type.Boolean()),
  foreign_option: Type.Optional(Type.Boolean()),
};

const Line = (max: number) => Type.String({ minLength: 1, maxLength: max });
const OptionalLine = Type.Union([Type.String({ maxLength: 100 }), Type.Null()]);

export const Address = Type.Object({
  contact_name: Type.Optional(OptionalLine),
  first_line: Line(100),
  second_line: Type.Optional(OptionalLine),
  third_line: Type.Optional(OptionalLine),
  zipcode: Line(20),
  city: Line(100),
  country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' }),
}, { additionalProperties: false });

export const NewCard = Type.Object({
  holder_id: Type.String({ format: 'uuid' }),
  initiator_id: Type.Optional(Type.String({ format: 'uuid' })),
  organization_id: Type.Optional(Type.String({ minLength: 1 })),
  bank_account_id: Type.String({ format: 'uuid' }),
  card_level: Type.Union(CARD_LEVELS.map((l) => Type.Literal(l))),
  nickname: Type.Optional(Nickname),
  ship_to_business: Type.Optional(Type.Boolean()),
  ...OptionFields,
  ...LimitFields,
  payment_lifespan_limit: Type.Optional(Euros('Flash cards: the whole budget')),
  pre_expires_at: Type.Optional(Type.String({ format: 'date-time', description: 'Flash cards: end of validity' })),
  active_days: Type.Optional(ActiveDays),
  categories: Type.Optional(Categories),
  address: Type.Optional(Type.Union([Address, Type.Null()])),
  card_design: Type.Optional(Type.String({ minLength: 1 })),
  type_of_print: Type.Optional(Type.Union([Type.Literal('print'), Type.Literal('embossed'), Type.Null()])),
}, { additionalProperties: false });

export const CardResponse = Type.Object({ card: Type.Object({}, { additionalProperties: true }) }, { description: 'The card' });

export const WRITE_SECURITY: Array<Record<string, string[]>> = [{ OAuth: [] }, { SecretKey: [] }];

export const IdempotencyHeader = Type.Optional(Type.String({ description: 'Replays the first success for 30 minutes (configurable)' }));

export const sendCard = (reply: FastifyReply, card: CardRecord): FastifyReply => sendJsonText(reply, `{"card":${renderCardJson(card)}}`);
