import { CARD_LEVELS, CARD_STATUSES, type CardLevel, type CardStatus } from '../db/schema.ts';
import { APPEARANCES } from './appearances.ts';
import { buildCard, isPhysical, LEVEL_DEFAULTS } from './card-factory.ts';
import type { CardRecord, HolderName } from './card.ts';
import { ADDRESSES, CATEGORIES, LEVEL_WEIGHTS, NICKNAMES, STATUS_WEIGHTS, type SeededRandom } from './demo-data.ts';

// Plans the demo organization's 150 cards: every level and every one of the 13 statuses present, renewed
// cards with their parents, flash cards with budgets and validity ends, spent counters, restrictions and
// dates over the past two years. Pure: ids, time and randomness come in.

export const DEMO_CARD_COUNT = 150;
const RENEWALS = 6;
const DAY = 86_400_000;

export interface DemoHolder extends HolderName {
  id: string;
  weight: number;
}

export interface DemoCardContext {
  rng: SeededRandom;
  now: Date;
  organizationId: string;
  holders: DemoHolder[];
  /** [main, travel, marketing] */
  accounts: [string, string, string];
  initiators: string[];
  newId: () => string;
}

type Planned = { level: CardLevel; status: CardStatus; renewalOf?: number };

function plan(rng: SeededRandom): Planned[] {
  const planned: Planned[] = [];
  // Coverage first: each level live, then each status on a level that can have it.
  for (const level of CARD_LEVELS) planned.push({ level, status: 'live' });
  for (const status of CARD_STATUSES) {
    if (planned.some((p) => p.status === status)) continue;
    planned.push({ level: CARD_LEVELS.find((l) => STATUS_WEIGHTS[l][status] !== undefined)!, status });
  }
  // Renewed pairs: an expired physical card and the live card that replaced it.
  for (let i = 0; i < RENEWALS; i++) {
    planned.push({ level: rng.pick(['standard', 'plus'] as const), status: 'expired' });
    planned.push({ level: planned[planned.length - 1]!.level, status: 'live', renewalOf: planned.length - 1 });
  }
  while (planned.length < DEMO_CARD_COUNT) {
    const level = rng.weighted(LEVEL_WEIGHTS);
    planned.push({ level, status: rng.weighted(STATUS_WEIGHTS[level] as Record<CardStatus, number>) });
  }
  return planned;
}

const roundTo = (n: number, step: number): number => Math.max(step, Math.round(n / step) * step);
const cents = (n: number): number => Math.round(n * 100) / 100;
const between = (rng: SeededRandom, from: Date, to: Date): Date =>
  new Date(from.getTime() + Math.floor(rng.next() * Math.max(0, to.getTime() - from.getTime())));

function nicknameFor(rng: SeededRandom, level: CardLevel, holder: HolderName): string {
  if (isPhysical(level)) return rng.chance(0.4) ? `Carte ${holder.first_name}` : rng.pick(NICKNAMES.physical);
  if (level === 'virtual') return rng.pick(NICKNAMES.virtual);
  return rng.pick(NICKNAMES[level as 'flash' | 'advertising']);
}

function holderFor(ctx: DemoCardContext, level: CardLevel): DemoHolder {
  const pool = ctx.holders.filter((h) => h.weight > 0);
  if (level === 'advertising' && ctx.rng.chance(0.7)) return pool.find((h) => h.first_name === 'Priya') ?? pool[0]!;
  return ctx.holders[Number(ctx.rng.weighted(Object.fromEntries(pool.map((h) => [String(ctx.holders.indexOf(h)), h.weight]))))]!;
}

/** Created-at and flash validity end that fit the status (a live flash card is still valid, and so on). */
function datesFor(ctx: DemoCardContext, p: Planned): { created: Date; preExpiresAt: Date | null } {
  const { rng, now } = ctx;
  const ago = (minDays: number, maxDays: number) => new Date(now.getTime() - rng.int(minDays * 24, maxDays * 24) * 3_600_000 - rng.int(0, 3599) * 1000);
  if (p.level === 'flash') {
    if (p.status === 'live' || p.status === 'paused') return { created: ago(0, 25), preExpiresAt: new Date(now.getTime() + rng.int(3, 60) * DAY) };
    const created = ago(40, 700);
    return { created, preExpiresAt: new Date(created.getTime() + rng.int(7, 30) * DAY) };
  }
  if (p.renewalOf !== undefined) return { created: ago(10, 120), preExpiresAt: null };
  if (p.status === 'expired') return { created: ago(600, 730), preExpiresAt: null };
  return { created: ago(0, 730), preExpiresAt: null };
}

export function planDemoCards(ctx: DemoCardContext): Array<{ card: CardRecord; holder: HolderName }> {
  const { rng, now } = ctx;
  const result: Array<{ card: CardRecord; holder: DemoHolder }> = [];
  for (const p of plan(rng)) {
    const parent = p.renewalOf === undefined ? undefined : result[p.renewalOf];
    const holder = parent?.holder ?? holderFor(ctx, p.level);
    const { created, preExpiresAt } = datesFor(ctx, p);
    const physical = isPhysical(p.level);
    const d = LEVEL_DEFAULTS[p.level];
    const scale = rng.pick([0.5, 1, 1, 1, 2, 3]);
    const monthly = roundTo(d.payment_monthly_limit * scale, 50);
    const daily = Math.min(monthly, roundTo(d.payment_daily_limit * scale, 50));
    const nickname = nicknameFor(rng, p.level, holder);
    const card = buildCard(
      {
        id: ctx.newId(),
        organization_id: ctx.organizationId,
        holder,
        initiator_id: rng.chance(0.8) ? rng.pick(ctx.initiators) : holder.id,
        bank_account_id: p.level === 'advertising' ? ctx.accounts[2] : /✈️|🚄|Lisbonne|Berlin|Essence|Parking/.test(nickname) ? ctx.accounts[1] : rng.chance(0.85) ? ctx.accounts[0] : rng.pick(ctx.accounts),
        card_level: p.level,
        nickname,
        atm_option: physical ? rng.chance(0.85) : false,
        nfc_option: physical ? rng.chance(0.9) : false,
        online_option: physical ? rng.chance(0.95) : true,
        foreign_option: rng.chance(0.7),
        atm_monthly_limit: physical ? roundTo(d.atm_monthly_limit * scale, 50) : 0,
        atm_daily_limit: physical ? roundTo(d.atm_daily_limit * scale, 50) : 0,
        atm_daily_limit_option: physical && rng.chance(0.4),
        payment_monthly_limit: monthly,
        payment_daily_limit: daily,
        payment_daily_limit_option: rng.chance(0.4),
        payment_transaction_limit: Math.min(daily, roundTo(d.payment_transaction_limit * scale, 50)),
        payment_transaction_limit_option: rng.chance(0.3),
        payment_lifespan_limit: p.level === 'flash' ? rng.pick([150, 200, 500, 1000, 2500]) : null,
        active_days: rng.chance(0.25) ? [1, 2, 3, 4, 5] : rng.chance(0.06) ? [1, 2, 3, 4, 5, 6] : [1, 2, 3, 4, 5, 6, 7],
        categories: rng.chance(0.2) ? rng.subset(CATEGORIES, rng.int(1, 4)) : [],
        card_design: rng.pick(APPEARANCES[p.level].filter((a) => a.is_active)).design,
        ship_to_business: physical && rng.chance(0.5),
        address: physical ? rng.pick(ADDRESSES) : null,
        pre_expires_at: preExpiresAt,
      },
      { now: created, randomDigit: () => rng.int(0, 9) },
    );
    card.status = p.status;
    finishCard(ctx, card, parent?.card);
    result.push({ card, holder });
  }
  return result.map(({ card, holder }) => ({ card, holder: { first_name: holder.first_name, last_name: holder.last_name } }));
}

const NEVER_USED: CardStatus[] = ['pending', 'onhold', 'order_canceled', 'shipped_lost'];

/** Status-dependent fields: PIN, shipping, activity, spent counters, expiry, renewal links. */
function finishCard(ctx: DemoCardContext, card: CardRecord, parent: CardRecord | undefined): void {
  const { rng, now } = ctx;
  const physical = isPhysical(card.card_level);
  const used = !NEVER_USED.includes(card.status);
  let activeUntil = now;
  if (card.status === 'expired' && card.card_level !== 'flash') {
    const expiry = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - rng.int(1, 6), 1));
    card.exp_month = String(expiry.getUTCMonth() + 1);
    card.exp_year = String(expiry.getUTCFullYear());
    activeUntil = expiry;
  }
  if (card.pre_expires_at && card.pre_expires_at < now) activeUntil = card.pre_expires_at;
  card.pin_set = physical && used;
  card.shipped_at = physical && card.status !== 'onhold' && card.status !== 'order_canceled' && (card.status !== 'pending' || rng.chance(0.5))
    ? new Date(card.created_at.getTime() + rng.int(1, 4) * DAY)
    : null;
  card.last_activity_at = used && rng.chance(0.85) ? between(rng, card.created_at, activeUntil) : null;
  if (card.last_activity_at) {
    const current = ['live', 'paused', 'pin_blocked'].includes(card.status);
    card.payment_monthly_spent = current ? cents(rng.next() * 0.8 * card.payment_monthly_limit) : 0;
    card.payment_daily_spent = current && rng.chance(0.4) ? cents(Math.min(card.payment_monthly_spent, rng.next() * 0.6 * card.payment_daily_limit)) : 0;
    if (card.atm_option && current && rng.chance(0.4)) {
      card.atm_monthly_spent = cents(rng.next() * 0.5 * card.atm_monthly_limit);
      card.atm_daily_spent = rng.chance(0.3) ? cents(Math.min(card.atm_monthly_spent, rng.next() * 0.5 * card.atm_daily_limit)) : 0;
    }
    if (card.payment_lifespan_limit !== null) {
      card.payment_lifespan_spent = cents((card.status === 'pre_expired' ? 0.6 + 0.4 * rng.next() : rng.next() * 0.7) * card.payment_lifespan_limit);
    }
  }
  card.had_operation = card.last_activity_at !== null;
  card.had_pin_operation = physical && card.had_operation && rng.chance(0.5);
  card.reordered = (card.status === 'lost' || card.status === 'stolen') && rng.chance(0.5);
  card.updated_at = between(rng, card.created_at, card.last_activity_at && card.last_activity_at > card.created_at ? card.last_activity_at : now);
  if (card.card_level === 'standard' && card.status === 'live' && rng.chance(0.1)) {
    card.upsold = true;
    card.discard_on = new Date(now.getTime() + rng.int(5, 30) * DAY).toISOString().slice(0, 10);
  }
  if (parent) {
    parent.renewed = true;
    card.renewal = true;
    card.parent_card_id = parent.id;
    card.parent_last_digits = parent.last_digits;
  }
}
