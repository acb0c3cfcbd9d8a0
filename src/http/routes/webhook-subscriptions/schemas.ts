import { Type } from 'typebox';
import type { AppDeps } from '../../app.ts';
import { WEBHOOK_TYPES } from '../../../domain/webhook-subscription.ts';
import type { AddressPolicy } from '../../../webhooks/address-policy.ts';

// Shapes of Qonto's webhook subscriptions API (postman/webhooks.postman_collection.json). Property order is
// the order of the answer (fast-json-stringify writes keys in schema order).

export const SECURITY: Array<Record<string, string[]>> = [{ OAuth: [] }, { SecretKey: [] }];
export const TAGS = ['Webhook subscriptions'];

export const Subscription = Type.Object({
  id: Type.String({ format: 'uuid' }),
  organization_id: Type.String({ format: 'uuid' }),
  membership_id: Type.String({ format: 'uuid' }),
  callback_url: Type.String(),
  types: Type.Array(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  description: Type.Optional(Type.String()),
});

export const CreatedSubscription = Type.Object({
  ...Subscription.properties,
  // Optional only so that fast-json-stringify, which writes required keys first, keeps it after description.
  secret: Type.Optional(Type.String({ description: 'Returned by the create only: keep it to verify X-Qonto-Signature.' })),
});

const Types = Type.Array(Type.Enum([...WEBHOOK_TYPES]), {
  minItems: 1,
  description: 'Every type Qonto documents is accepted; qcards fires v1/cards.',
});
const CallbackUrl = Type.String({
  maxLength: 512,
  description: 'https:// and publicly reachable; http:// to loopback only when the server allows loopback receivers.',
});
const Description = Type.String({ maxLength: 256 });

export const CreateBody = Type.Object({
  callback_url: CallbackUrl,
  types: Types,
  secret: Type.Optional(Type.String({ minLength: 32, maxLength: 128, description: 'Generated (whsec_…, 50 characters) when absent.' })),
  description: Type.Optional(Description),
}, { additionalProperties: false });

export const ReplaceBody = Type.Object({
  callback_url: CallbackUrl,
  types: Types,
  description: Type.Optional(Description),
}, { additionalProperties: false });

export const IdParams = Type.Object({ id: Type.String() });

export const FlatError = Type.Object({
  code: Type.String(),
  detail: Type.String(),
  source: Type.Optional(Type.Object({ pointer: Type.Optional(Type.String()), parameter: Type.Optional(Type.String()) })),
  trace_id: Type.Optional(Type.String()),
});

export const policyOf = (deps: AppDeps): AddressPolicy => ({
  allowLoopback: deps.config.webhookAllowLoopback,
  allowList: deps.config.webhookAllowList,
});
