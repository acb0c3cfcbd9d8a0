import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db/engine.ts';
import type { Clock } from '../domain/clock.ts';
import { badField, forbidden, notFound } from '../domain/errors.ts';
import type { SubscriptionRow } from '../domain/webhook-subscription.ts';
import { callbackUrlProblem, type AddressPolicy } from '../webhooks/address-policy.ts';
import type { Principal } from './credentials.ts';
import { isUuid } from '../domain/uuid.ts';

// Qonto's /v2/webhook_subscriptions. A subscription belongs to the membership that created it: Qonto lists
// "only webhook subscriptions created by the authenticated user", and qcards applies the same rule to reading,
// replacing and deleting one (another member's subscription is a 404, like an unknown id).

export interface SubscriptionInput {
  callback_url: string;
  types: string[];
  description?: string | undefined;
  secret?: string | undefined;
}


/** `whsec_` and 32 random bytes in base64 (50 characters), the shape of Qonto's example secret. */
export const generateSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

function check(principal: Principal, policy: AddressPolicy, input: SubscriptionInput): void {
  const problem = callbackUrlProblem(input.callback_url, policy);
  if (problem) throw badField('/callback_url', 'invalid_callback_url', problem);
  // "the scope(s) required for the webhook(s) you want to receive": v1/cards needs card.read.
  if (input.types.includes('v1/cards') && !principal.scopes.has('card.read')) {
    throw forbidden('missing required oauth scope: card.read (needed to receive v1/cards)');
  }
}

const owned = (db: Db, principal: Principal) =>
  db
    .selectFrom('webhook_subscriptions')
    .selectAll()
    .where('organization_id', '=', principal.organizationId)
    .where('membership_id', '=', principal.membershipId);

export async function createSubscription(
  db: Db, clock: Clock, policy: AddressPolicy, principal: Principal, input: SubscriptionInput,
): Promise<SubscriptionRow> {
  check(principal, policy, input);
  const now = clock.now();
  return db
    .insertInto('webhook_subscriptions')
    .values({
      id: randomUUID(),
      organization_id: principal.organizationId,
      membership_id: principal.membershipId,
      callback_url: input.callback_url,
      types: [...new Set(input.types)],
      description: input.description ?? null,
      secret: input.secret ?? generateSecret(),
      disabled_reason: null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findSubscription(db: Db, principal: Principal, id: string): Promise<SubscriptionRow> {
  const row = isUuid(id) ? await owned(db, principal).where('id', '=', id).executeTakeFirst() : undefined;
  if (!row) throw notFound('webhook subscription');
  return row;
}

export async function listSubscriptions(
  db: Db, principal: Principal, page: number, perPage: number,
): Promise<{ rows: SubscriptionRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    owned(db, principal).orderBy('created_at').orderBy('id').limit(perPage).offset((page - 1) * perPage).execute(),
    db
      .selectFrom('webhook_subscriptions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organization_id', '=', principal.organizationId)
      .where('membership_id', '=', principal.membershipId)
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** PUT: full replacement (an omitted description is removed). Re-activates a subscription disabled by a 410. */
export async function replaceSubscription(
  db: Db, clock: Clock, policy: AddressPolicy, principal: Principal, id: string, input: SubscriptionInput,
): Promise<SubscriptionRow> {
  await findSubscription(db, principal, id);
  check(principal, policy, input);
  const row = await db
    .updateTable('webhook_subscriptions')
    .set({
      callback_url: input.callback_url,
      types: [...new Set(input.types)],
      description: input.description ?? null,
      status: 'active',
      disabled_reason: null,
      updated_at: clock.now(),
    })
    .where('id', '=', id)
    .where('organization_id', '=', principal.organizationId)
    .where('membership_id', '=', principal.membershipId)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw notFound('webhook subscription');
  return row;
}

/** Deletes the subscription with its deliveries and their attempts: nothing more is sent to it. */
export async function deleteSubscription(db: Db, principal: Principal, id: string): Promise<void> {
  if (!isUuid(id)) throw notFound('webhook subscription');
  const result = await db
    .deleteFrom('webhook_subscriptions')
    .where('id', '=', id)
    .where('organization_id', '=', principal.organizationId)
    .where('membership_id', '=', principal.membershipId)
    .executeTakeFirst();
  if (result.numDeletedRows === 0n) throw notFound('webhook subscription');
}
