import type { Selectable } from 'kysely';
import type { WebhookSubscriptionsTable } from '../db/schema.ts';
import { isoSeconds } from './card.ts';

// Webhook subscriptions as Qonto's API shows them (postman/webhooks.postman_collection.json): flat objects,
// `description` omitted when unset, `secret` only in the answer to the create.

/** Every type Qonto documents. qcards accepts them all (so one subscription can mirror a real one) and fires
 * `v1/cards`, the only family it serves. */
export const WEBHOOK_TYPES = [
  'v1/cards', 'v1/transactions', 'v1/accounts', 'v1/organizations', 'v1/memberships', 'v1/consent-revocations',
  'v1/clients', 'v1/payment-links',
] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

export type SubscriptionRow = Omit<Selectable<WebhookSubscriptionsTable>, 'disabled_reason'>;

export interface ApiSubscription {
  id: string;
  organization_id: string;
  membership_id: string;
  callback_url: string;
  types: string[];
  created_at: string;
  updated_at: string;
  description?: string;
  secret?: string;
}

export function subscriptionApiObject(row: SubscriptionRow, options: { withSecret?: boolean } = {}): ApiSubscription {
  return {
    id: row.id,
    organization_id: row.organization_id,
    membership_id: row.membership_id,
    callback_url: row.callback_url,
    types: row.types,
    created_at: isoSeconds(row.created_at)!,
    updated_at: isoSeconds(row.updated_at)!,
    ...(row.description !== null ? { description: row.description } : {}),
    ...(options.withSecret ? { secret: row.secret } : {}),
  };
}
