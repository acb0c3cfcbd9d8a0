import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db/engine.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Clock } from '../domain/clock.ts';
import type { Principal } from './credentials.ts';
import { assertMayWrite, findVisibleCardForUpdate } from './card-writes.ts';

// GET /v2/cards/{id}/data_view: a short-lived, single-use link to a page showing the PAN, expiry and CVV.
// The link's token is the only credential of the page, so only its SHA-256 is stored, it works once, and it
// dies after five minutes (Qonto: "treat it like a password").

export const CARD_VIEW_TTL_MS = 5 * 60_000;
export const CARD_VIEW_LANGUAGES = ['en', 'it', 'es', 'de', 'fr', 'pt'] as const;
export type CardViewLanguage = (typeof CARD_VIEW_LANGUAGES)[number];

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function issueCardView(db: Db, clock: Clock, p: Principal, cardId: string, language: CardViewLanguage): Promise<string> {
  return inTransaction(db, async (trx) => {
    const { card } = await findVisibleCardForUpdate(trx, p, cardId);
    // The card number is shown to its holder and to owners and admins, not to everyone who may list the card.
    assertMayWrite(p, 'admin_or_holder', card);
    const token = randomBytes(32).toString('base64url');
    const now = clock.now();
    await trx.insertInto('card_view_tokens').values({
      token_hash: hashToken(token), organization_id: card.organization_id, card_id: card.id, language, created_at: now,
      expires_at: new Date(now.getTime() + CARD_VIEW_TTL_MS), used_at: null,
    }).execute();
    return token;
  });
}

export interface CardSecrets {
  language: CardViewLanguage;
  pan: string;
  cvv: string;
  exp_month: string;
  exp_year: string;
  embossed_name: string | null;
}

/** Consumes a token: its card's secrets the first time within the TTL, undefined afterwards. */
export async function openCardView(db: Db, clock: Clock, token: string): Promise<CardSecrets | undefined> {
  const now = clock.now();
  const used = await db.updateTable('card_view_tokens').set({ used_at: now })
    .where('token_hash', '=', hashToken(token)).where('used_at', 'is', null).where('expires_at', '>', now)
    .returning(['organization_id', 'card_id', 'language'])
    .executeTakeFirst();
  if (!used) return undefined;
  const card = await db.selectFrom('cards').select(['pan', 'cvv', 'exp_month', 'exp_year', 'embossed_name'])
    .where('organization_id', '=', used.organization_id).where('id', '=', used.card_id).executeTakeFirst();
  return card ? { ...card, language: used.language as CardViewLanguage } : undefined;
}
