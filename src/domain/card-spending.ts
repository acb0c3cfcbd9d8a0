import type { CardRecord } from './card.ts';
import type { ParisDate } from './paris-time.ts';

// The sandbox's card authorisation: approves or declines a simulated payment or ATM withdrawal the way the
// card's settings say, and keeps the *_spent counters. Daily counters belong to a Paris calendar day and
// monthly ones to a Paris calendar month; a card read in a later period starts from zero. Pure.

export type SpendKind = 'payment' | 'atm';

export interface SpendRequest {
  kind: SpendKind;
  /** Euros, rounded to cents. */
  amount: number;
  online: boolean;
  foreign: boolean;
  contactless: boolean;
  /** A category tag of qonto-reference.md §1.9.14; ATM withdrawals are `atm`. */
  category: string | null;
}

export const DECLINE_REASONS = [
  'card_not_usable', 'atm_option_disabled', 'online_option_disabled', 'foreign_option_disabled', 'nfc_option_disabled',
  'inactive_day', 'category_not_allowed', 'transaction_limit_exceeded', 'daily_limit_exceeded', 'monthly_limit_exceeded',
  'atm_daily_limit_exceeded', 'atm_monthly_limit_exceeded', 'lifespan_limit_exceeded',
] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

export interface SpendingPeriod {
  day: string;
  month: string;
}

const cents = (n: number): number => Math.round(n * 100) / 100;

/** The card with its counters of past periods reset. */
export function rollOver(card: CardRecord, period: SpendingPeriod | undefined, today: ParisDate): CardRecord {
  if (!period) return card;
  const next = { ...card };
  if (period.month !== today.month) {
    next.payment_monthly_spent = 0;
    next.atm_monthly_spent = 0;
  }
  if (period.day !== today.day) {
    next.payment_daily_spent = 0;
    next.atm_daily_spent = 0;
  }
  return next;
}

export const isStale = (period: SpendingPeriod | undefined, today: ParisDate): boolean =>
  period !== undefined && (period.day !== today.day || period.month !== today.month);

function declineReason(c: CardRecord, r: SpendRequest, now: Date, today: ParisDate): DeclineReason | null {
  // pin_blocked cards still work where no PIN is asked: online (qonto-reference.md §1.2).
  const usable = c.status === 'live' || (c.status === 'pin_blocked' && r.kind === 'payment' && r.online);
  if (!usable) return 'card_not_usable';
  if (c.pre_expires_at !== null && c.pre_expires_at <= now) return 'card_not_usable';
  if (r.kind === 'atm' && !c.atm_option) return 'atm_option_disabled';
  if (r.kind === 'payment' && r.online && !c.online_option) return 'online_option_disabled';
  if (r.kind === 'payment' && r.contactless && !c.nfc_option) return 'nfc_option_disabled';
  if (r.foreign && !c.foreign_option) return 'foreign_option_disabled';
  if (!c.active_days.includes(today.weekday)) return 'inactive_day';
  const category = r.kind === 'atm' ? 'atm' : r.category;
  if (c.categories.length > 0 && (category === null || !c.categories.includes(category))) return 'category_not_allowed';
  if (r.kind === 'atm') {
    if (c.atm_daily_limit_option && cents(c.atm_daily_spent + r.amount) > c.atm_daily_limit) return 'atm_daily_limit_exceeded';
    if (cents(c.atm_monthly_spent + r.amount) > c.atm_monthly_limit) return 'atm_monthly_limit_exceeded';
    return null;
  }
  if (c.payment_transaction_limit_option && r.amount > c.payment_transaction_limit) return 'transaction_limit_exceeded';
  if (c.payment_daily_limit_option && cents(c.payment_daily_spent + r.amount) > c.payment_daily_limit) return 'daily_limit_exceeded';
  if (cents(c.payment_monthly_spent + r.amount) > c.payment_monthly_limit) return 'monthly_limit_exceeded';
  if (c.payment_lifespan_limit !== null && cents(c.payment_lifespan_spent + r.amount) > c.payment_lifespan_limit) return 'lifespan_limit_exceeded';
  return null;
}

export interface SpendDecision {
  approved: boolean;
  reason: DeclineReason | null;
  card: CardRecord;
}

/** Decides on a card whose counters are already rolled over to `today`. Every attempt counts as activity. */
export function decideSpend(card: CardRecord, r: SpendRequest, now: Date, today: ParisDate): SpendDecision {
  const reason = declineReason(card, r, now, today);
  const next: CardRecord = { ...card, last_activity_at: now };
  if (reason !== null) return { approved: false, reason, card: next };
  const amount = cents(r.amount);
  next.had_operation = true;
  if (r.kind === 'atm') {
    next.atm_daily_spent = cents(card.atm_daily_spent + amount);
    next.atm_monthly_spent = cents(card.atm_monthly_spent + amount);
    next.had_pin_operation = true;
  } else {
    next.payment_daily_spent = cents(card.payment_daily_spent + amount);
    next.payment_monthly_spent = cents(card.payment_monthly_spent + amount);
    if (card.payment_lifespan_limit !== null) next.payment_lifespan_spent = cents(card.payment_lifespan_spent + amount);
    if (!r.online && !r.contactless) next.had_pin_operation = true;
  }
  return { approved: true, reason: null, card: next };
}
