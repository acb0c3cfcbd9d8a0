import type { CardForChange } from '../db/queries/cards.ts';

// The cards this process last changed, with their row version, so that the next change to one of them skips
// the read: a change is then ONE statement instead of two (src/services/card-writes.ts). On two cores a write
// is bound by the CPU its round trips cost (BENCHMARKS.md, "Card writes").
//
// Nothing here has to be invalidated, because nothing is believed without the database agreeing:
// - The write statement applies only if the row is still at the remembered version (saveCardsIfUnchanged), and
//   every UPDATE of a card row gives it a new version from a sequence, whoever makes it
//   (014_card_version_trigger.sql). A stale entry costs one write that changes nothing, then the usual read.
// - A deleted card (its organization deleted) matches no row: the same fallback, which answers 404.
// - What the entry holds besides the card is its holder's name and team, used to render the card and to decide
//   who may see it. qcards never edits a membership; if anything changes a holder's name or team, 014 gives
//   the holder's cards new versions.
// - Refusals are never answered from here (card-writes.ts). The caller is checked on every use exactly as after
//   a read: same organization, may see the card, may write.
// The PAN and CVV are not kept (an UPDATE never writes them: src/db/queries/cards.ts).

// ~2 KB an entry: at most ~4 MB. The least recently used goes first.
const MAX_CARDS = 2_000;

// Keyed by the engine's Kysely instance, so two apps on two databases in one process never share.
const caches = new WeakMap<object, Map<string, CardForChange>>();

export function rememberedCard(db: object, id: string): CardForChange | undefined {
  const cards = caches.get(db);
  const found = cards?.get(id);
  if (found) {
    cards!.delete(id);
    cards!.set(id, found);
  }
  return found;
}

/** Remembers a card as just written, `version` being the row's version now. */
export function rememberCard(db: object, written: CardForChange): void {
  let cards = caches.get(db);
  if (!cards) caches.set(db, (cards = new Map()));
  cards.delete(written.card.id);
  cards.set(written.card.id, { ...written, card: { ...written.card, pan: '', cvv: '' } });
  if (cards.size > MAX_CARDS) cards.delete(cards.keys().next().value!);
}

export function forgetCard(db: object, id: string): void {
  caches.get(db)?.delete(id);
}
