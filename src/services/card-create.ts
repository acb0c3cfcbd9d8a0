import { randomInt, randomUUID } from 'node:crypto';
import type { Db } from '../db/engine.ts';
import { insertCards } from '../db/queries/cards.ts';
import type { CardLevel, ShippingAddress } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { isDesignOfLevel } from '../domain/appearances.ts';
import type { CardRecord } from '../domain/card.ts';
import { mayCreateCards } from '../domain/card-access.ts';
import { buildCard, LEVEL_DEFAULTS } from '../domain/card-factory.ts';
import { levelFieldProblems, limitProblems, optionProblems } from '../domain/card-rules.ts';
import type { Clock } from '../domain/clock.ts';
import { ApiError, forbidden, type ErrorItem } from '../domain/errors.ts';
import { wakeWorkers } from '../webhooks/wake.ts';
import { recordCardEvent } from './card-events.ts';
import type { Principal } from './credentials.ts';
import { actorOf } from './card-writes.ts';

// POST /v2/cards and POST /v2/cards/bulk: one transaction for all the cards of a request (all or nothing),
// each with its `created` event. Everything is checked before the first row is written, and every problem of
// every card is reported at once, each naming its field.

export interface NewCardBody {
  holder_id: string;
  initiator_id?: string;
  organization_id?: string;
  bank_account_id: string;
  card_level: CardLevel;
  nickname?: string;
  ship_to_business?: boolean;
  atm_option?: boolean;
  nfc_option?: boolean;
  foreign_option?: boolean;
  online_option?: boolean;
  atm_monthly_limit?: number;
  atm_daily_limit_option?: boolean;
  atm_daily_limit?: number;
  payment_monthly_limit?: number;
  payment_daily_limit_option?: boolean;
  payment_daily_limit?: number;
  payment_transaction_limit_option?: boolean;
  payment_transaction_limit?: number;
  payment_lifespan_limit?: number;
  pre_expires_at?: string;
  active_days?: number[];
  categories?: string[];
  address?: (Partial<ShippingAddress> & Pick<ShippingAddress, 'first_line' | 'zipcode' | 'city' | 'country'>) | null;
  card_design?: string;
  type_of_print?: 'print' | 'embossed' | null;
}

const item = (pointer: string, code: string, detail: string): ErrorItem => ({ code, detail, source: { pointer } });

/** `base(i)` is the JSON pointer of card i: `/card` for a single create, `/cards/<i>/card` in a bulk. */
export async function createCards(
  db: Db, clock: Clock, principal: Principal, bodies: NewCardBody[], base: (i: number) => string,
): Promise<CardRecord[]> {
  if (!mayCreateCards(actorOf(principal))) throw forbidden('only owners and admins of the organization may create cards');
  const now = clock.now();
  let queued = 0;
  const created = await inTransaction(db, async (trx) => {
    queued = 0;
    const org = await trx.selectFrom('organizations').select(['id', 'slug']).where('id', '=', principal.organizationId).executeTakeFirstOrThrow();
    const memberIds = [...new Set(bodies.flatMap((b) => [b.holder_id, ...(b.initiator_id ? [b.initiator_id] : [])]))];
    const members = new Map(
      (await trx.selectFrom('memberships').select(['id', 'first_name', 'last_name']).where('organization_id', '=', org.id).where('id', 'in', memberIds).execute())
        .map((m) => [m.id, m]),
    );
    const accountIds = [...new Set(bodies.map((b) => b.bank_account_id))];
    const accounts = new Set(
      (await trx.selectFrom('bank_accounts').select('id').where('organization_id', '=', org.id).where('id', 'in', accountIds).execute()).map((a) => a.id),
    );

    const problems: ErrorItem[] = [];
    const built = bodies.map((body, i) => {
      const p = base(i);
      if (body.organization_id !== undefined && body.organization_id !== org.id && body.organization_id !== org.slug) {
        problems.push(item(`${p}/organization_id`, 'invalid_organization', 'organization_id must be the id (or slug) of the organization of the credentials'));
      }
      const holder = members.get(body.holder_id);
      if (!holder) problems.push(item(`${p}/holder_id`, 'not_found', 'holder_id is not a membership of this organization'));
      if (body.initiator_id !== undefined && !members.has(body.initiator_id)) {
        problems.push(item(`${p}/initiator_id`, 'not_found', 'initiator_id is not a membership of this organization'));
      }
      if (!accounts.has(body.bank_account_id)) problems.push(item(`${p}/bank_account_id`, 'not_found', 'bank_account_id is not a bank account of this organization'));
      if (body.card_design !== undefined && !isDesignOfLevel(body.card_level, body.card_design)) {
        problems.push(item(`${p}/card_design`, 'invalid_card_design', `card_design must be an active design of ${body.card_level} cards (see GET /v2/cards/appearances)`));
      }
      const levelProblems = levelFieldProblems(body, now, p);
      problems.push(...levelProblems, ...optionProblems(body.card_level, body, p));
      if (!holder || levelProblems.length > 0) return undefined;
      const { holder_id: _h, initiator_id, organization_id: _o, pre_expires_at, address, ...fields } = body;
      // Unset daily and per-transaction limits take the level default, but never more than the month given.
      const d = LEVEL_DEFAULTS[body.card_level];
      const month = fields.payment_monthly_limit ?? d.payment_monthly_limit;
      fields.payment_daily_limit ??= Math.min(d.payment_daily_limit, month);
      fields.payment_transaction_limit ??= Math.min(d.payment_transaction_limit, month);
      fields.atm_daily_limit ??= Math.min(d.atm_daily_limit, fields.atm_monthly_limit ?? d.atm_monthly_limit);
      const card = buildCard(
        {
          ...fields,
          id: randomUUID(),
          organization_id: org.id,
          holder: { id: holder.id, first_name: holder.first_name, last_name: holder.last_name },
          initiator_id: initiator_id ?? principal.membershipId,
          pre_expires_at: pre_expires_at === undefined ? null : new Date(pre_expires_at),
          address: address ? { contact_name: null, second_line: null, third_line: null, ...address } : null,
        },
        { now, randomDigit: () => randomInt(10) },
      );
      problems.push(...limitProblems(card.card_level, card, p));
      return { card, holder };
    });
    if (problems.length > 0) throw new ApiError(422, problems);

    const cards = built.map((b) => b!);
    await insertCards(trx, cards);
    for (const { card } of cards) {
      queued += (await recordCardEvent(trx, { card, event: 'created', actorMembershipId: principal.membershipId, at: now })).queued;
    }
    return cards.map((c) => c.card);
  });
  if (queued > 0) wakeWorkers(db);
  return created;
}
