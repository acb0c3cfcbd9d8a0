import { Type } from 'typebox';
import { CARD_LEVELS, CARD_STATUSES } from '../../db/schema.ts';

// Qonto's `CardPayload` (the seed's list example plus initiator_id, appearance and has_only_user_liftable_locks,
// CONTRACT.md) for the OpenAPI document. Card responses are pre-rendered text (src/domain/card.ts renders
// them), so these schemas describe the output; they are never used to serialize it.

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Uuid = () => Type.String({ format: 'uuid' });
const DateTime = () => Type.String({ format: 'date-time', examples: ['2023-11-07T05:31:56Z'] });

export const CardPayload = Type.Object({
  id: Uuid(),
  nickname: Type.String(),
  embossed_name: Nullable(Type.String()),
  status: Type.Enum(CARD_STATUSES),
  pin_set: Type.Boolean(),
  mask_pan: Type.String({ examples: ['511768******7662'] }),
  exp_month: Type.String({ examples: ['3'] }),
  exp_year: Type.String({ examples: ['2024'] }),
  last_activity_at: Nullable(DateTime()),
  last_digits: Type.String(),
  ship_to_business: Type.Boolean(),
  atm_option: Type.Boolean(),
  nfc_option: Type.Boolean(),
  online_option: Type.Boolean(),
  foreign_option: Type.Boolean(),
  atm_monthly_limit: Type.Integer(),
  atm_monthly_spent: Type.Number(),
  atm_daily_limit: Type.Integer(),
  atm_daily_spent: Type.Number(),
  atm_daily_limit_option: Type.Boolean(),
  payment_monthly_limit: Type.Integer(),
  payment_monthly_spent: Type.Number(),
  payment_daily_limit: Type.Integer(),
  payment_daily_spent: Type.Number(),
  payment_daily_limit_option: Type.Boolean(),
  payment_transaction_limit: Type.Integer(),
  payment_transaction_limit_option: Type.Boolean(),
  active_days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 })),
  holder_id: Uuid(),
  initiator_id: Type.Union([Uuid(), Type.Null()]),
  bank_account_id: Uuid(),
  organization_id: Uuid(),
  updated_at: DateTime(),
  created_at: DateTime(),
  shipped_at: Nullable(DateTime()),
  card_type: Type.Union([Type.Literal('debit'), Type.Literal('prepaid')]),
  card_level: Type.Enum(CARD_LEVELS),
  payment_lifespan_limit: Type.Union([Type.Integer(), Type.Null()]),
  payment_lifespan_spent: Type.Number(),
  pre_expires_at: Nullable(DateTime()),
  categories: Type.Array(Type.String()),
  renewed: Type.Boolean(),
  renewal: Type.Boolean(),
  parent_card_summary: Type.Union([Type.Object({ id: Uuid(), last_digits: Type.String() }), Type.Null()]),
  had_operation: Type.Boolean(),
  had_pin_operation: Type.Boolean(),
  card_design: Type.String(),
  type_of_print: Type.Union([Type.Literal('print'), Type.Literal('embossed'), Type.Null()]),
  upsold: Type.Boolean(),
  upsell: Type.Boolean(),
  discard_on: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
  reordered: Type.Boolean(),
  appearance: Type.Object({
    assets: Type.Object({ front_large: Type.String(), front_small: Type.String(), front_small_wallet: Type.String() }),
    theme: Type.Union([Type.Literal('dark'), Type.Literal('light')]),
    gradient_hex_color: Type.Optional(Type.String()),
  }),
  has_only_user_liftable_locks: Type.Boolean(),
});

/** Qonto's error body: `{"errors":[{code, detail, source?}], "trace_id"}`. */
export const ErrorBody = Type.Object({
  errors: Type.Array(Type.Object({
    code: Type.String(),
    detail: Type.String(),
    source: Type.Optional(Type.Object({
      parameter: Type.Optional(Type.String()),
      pointer: Type.Optional(Type.String()),
    })),
  })),
  trace_id: Type.String(),
});
