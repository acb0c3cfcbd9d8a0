import type { CardLevel, CardStatus, Role } from '../../../src/db/schema.ts';
import { cardSearchText, renderCardJson, type CardRecord, type HolderName } from '../../../src/domain/card.ts';
import { buildCard, isPhysical } from '../../../src/domain/card-factory.ts';
import { APPEARANCES } from '../../../src/domain/appearances.ts';
import { FIRST_NAMES, LAST_NAMES, NICKNAMES, RARE_NICKNAME } from './names.ts';

// Deterministic benchmark data: the same parameters give the same organizations, people and cards, so search
// terms match the same number of cards on every rebuild. Cards are built by the real factory and rendered by
// the real renderers (api_json, search_text), then given the states a long-lived organization has.

export type Rng = () => number;

/** mulberry32: small, fast, seedable. */
export function rngOf(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex8 = (rng: Rng): string => Math.floor(rng() * 0x100000000).toString(16).padStart(8, '0');

/** A version-4 UUID from the seeded generator. */
export function uuidOf(rng: Rng): string {
  const a = hex8(rng), b = hex8(rng), c = hex8(rng), d = hex8(rng);
  const variant = ((parseInt(c[0]!, 16) & 0x3) | 0x8).toString(16);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

function weighted<T extends string>(rng: Rng, table: ReadonlyArray<readonly [T, number]>): T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let x = rng() * total;
  for (const [value, w] of table) if ((x -= w) < 0) return value;
  return table[table.length - 1]![0];
}

const LEVELS: ReadonlyArray<readonly [CardLevel, number]> = [
  ['virtual', 38], ['standard', 20], ['plus', 12], ['metal', 5], ['flash', 15], ['advertising', 10],
];
const PHYSICAL_STATUSES: ReadonlyArray<readonly [CardStatus, number]> = [
  ['live', 55], ['pending', 9], ['paused', 6], ['expired', 8], ['lost', 3], ['stolen', 2], ['pin_blocked', 2],
  ['shipped_lost', 1], ['onhold', 2], ['order_canceled', 2], ['abusive', 0.5], ['discarded', 0.5],
];
const VIRTUAL_STATUSES: ReadonlyArray<readonly [CardStatus, number]> = [
  ['live', 64], ['paused', 8], ['discarded', 14], ['expired', 10], ['pin_blocked', 1], ['abusive', 0.5],
];
const FLASH_STATUSES: ReadonlyArray<readonly [CardStatus, number]> = [
  ['live', 50], ['paused', 5], ['discarded', 10], ['pre_expired', 30], ['expired', 5],
];

export interface OrgPlan {
  id: string;
  slug: string;
  name: string;
  cards: number;
  members: Array<{ id: string; role: Role; first_name: string; last_name: string; team_id: string | null }>;
  teams: string[];
  accounts: string[];
}

/**
 * Sizes of `orgs` organizations holding `total` cards, the first holding `largest`: the others follow a
 * Zipf-like curve (s = 0.7), so the second largest holds ~38,000 and the smallest a few hundred.
 */
export function organizationSizes(orgs: number, total: number, largest: number): number[] {
  if (orgs === 1) return [total];
  const rest = total - largest;
  const weights = Array.from({ length: orgs - 1 }, (_, i) => 1 / (i + 1) ** 0.7);
  const sum = weights.reduce((s, w) => s + w, 0);
  const sizes = weights.map((w) => Math.max(1, Math.floor((w / sum) * rest)));
  sizes[0]! += rest - sizes.reduce((s, n) => s + n, 0);
  return [largest, ...sizes];
}

const ROLES: ReadonlyArray<readonly [Role, number]> = [['employee', 80], ['manager', 8], ['admin', 6], ['reporting', 6]];

export function planOrganizations(rng: Rng, sizes: number[]): OrgPlan[] {
  return sizes.map((cards, i) => {
    const id = uuidOf(rng);
    const teams = Array.from({ length: Math.max(1, Math.ceil(cards / 2000)) }, () => uuidOf(rng));
    // About 20 cards per person, as in a company that gives everyone a few virtual cards.
    const people = Math.max(3, Math.ceil(cards / 20));
    const members = Array.from({ length: people }, (_, m) => {
      const role: Role = m === 0 ? 'owner' : weighted(rng, ROLES);
      return {
        id: uuidOf(rng), role, first_name: pick(rng, FIRST_NAMES), last_name: pick(rng, LAST_NAMES),
        team_id: role === 'manager' || role === 'employee' ? pick(rng, teams) : null,
      };
    });
    const accounts = Array.from({ length: 2 + Math.min(3, Math.floor(cards / 10_000)) }, () => uuidOf(rng));
    return { id, slug: `bench-org-${i + 1}`, name: `Bench Org ${i + 1}`, cards, members, teams, accounts };
  });
}

const DAY = 86_400_000;
const EPOCH = Date.UTC(2019, 0, 1);

/** A card as a long-lived organization holds it: built new at its creation date, then aged. */
export function generateCard(rng: Rng, org: OrgPlan, now: number): { card: CardRecord; holder: HolderName } {
  const holder = pick(rng, org.members);
  const level = weighted(rng, LEVELS);
  const createdAt = new Date(EPOCH + Math.floor(rng() * (now - 30 * DAY - EPOCH) / 1000) * 1000);
  const roll = rng();
  const nickname = roll < 0.004 ? RARE_NICKNAME : roll < 0.2 ? undefined : `${pick(rng, NICKNAMES)}${rng() < 0.3 ? ` #${Math.floor(rng() * 100)}` : ''}`;
  const designs = APPEARANCES[level].filter((a) => a.is_active);
  const card = buildCard(
    {
      id: uuidOf(rng), organization_id: org.id, holder, initiator_id: org.members[0]!.id,
      bank_account_id: pick(rng, org.accounts), card_level: level, card_design: pick(rng, designs).design,
      ...(nickname === undefined ? {} : { nickname }),
      ...(rng() < 0.1 ? { active_days: [1, 2, 3, 4, 5] } : {}),
      ...(rng() < 0.15 ? { categories: ['transport', 'restaurant_and_bar'] } : {}),
    },
    { now: createdAt, randomDigit: () => Math.floor(rng() * 10) },
  );
  card.status = weighted(rng, level === 'flash' ? FLASH_STATUSES : isPhysical(level) ? PHYSICAL_STATUSES : VIRTUAL_STATUSES);
  if (card.status !== 'pending' && card.status !== 'onhold' && card.status !== 'order_canceled') {
    card.pin_set = isPhysical(level);
    // About a third of the cards were never used.
    if (rng() < 0.67) {
      card.last_activity_at = new Date(createdAt.getTime() + Math.floor(rng() * (now - createdAt.getTime()) / 1000) * 1000);
      card.had_operation = true;
      card.payment_monthly_spent = Math.round(rng() * card.payment_monthly_limit * 50) / 100;
      card.payment_daily_spent = Math.round(rng() * card.payment_daily_limit * 10) / 100;
      if (isPhysical(level)) card.atm_monthly_spent = Math.round(rng() * card.atm_monthly_limit * 30) / 100;
    }
    if (isPhysical(level)) card.shipped_at = new Date(createdAt.getTime() + 3 * DAY);
  }
  if (card.status === 'discarded') card.discard_on = new Date(createdAt.getTime() + 60 * DAY).toISOString().slice(0, 10);
  card.updated_at = card.last_activity_at ?? createdAt;
  return { card, holder };
}

/** The row as src/db/queries/cards.ts writes it, keyed for json_populate_recordset. */
export function cardRow(card: CardRecord, holder: HolderName): Record<string, unknown> {
  return { ...card, search_text: cardSearchText(card, holder), api_json: renderCardJson(card) };
}

/** Org indexes of every card in insertion order: shuffled, so an organization's rows spread over the heap. */
export function shuffledOwners(rng: Rng, sizes: number[]): Int32Array {
  const total = sizes.reduce((s, n) => s + n, 0);
  const owners = new Int32Array(total);
  let k = 0;
  sizes.forEach((n, org) => owners.fill(org, k, (k += n)));
  for (let i = total - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = owners[i]!;
    owners[i] = owners[j]!;
    owners[j] = t;
  }
  return owners;
}
