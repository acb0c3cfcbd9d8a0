import type { CardEventName } from '../db/schema.ts';
import type { CardRecord } from './card.ts';
import { planMove, type LifecycleAction } from './card-lifecycle.ts';
import { limitProblems, optionProblems, throwIfAny, type CardLimits, type CardOptions } from './card-rules.ts';
import { ApiError } from './errors.ts';
import { parisDate } from './paris-time.ts';

// One accepted change to a card: the new record and the event it announces. Pure; throws ApiError (422) on
// a refused change, before anything is written.

export interface LimitsPatch extends Partial<CardLimits> {
  atm_daily_limit_option?: boolean;
  payment_daily_limit_option?: boolean;
  payment_transaction_limit_option?: boolean;
}

export type CardChange =
  | { kind: Exclude<LifecycleAction, 'update'> }
  | { kind: 'nickname'; nickname: string }
  | { kind: 'limits'; limits: LimitsPatch }
  | { kind: 'options'; options: Partial<CardOptions> }
  | { kind: 'restrictions'; active_days?: number[] | undefined; categories?: string[] | undefined };

export interface ChangeResult {
  card: CardRecord;
  event: CardEventName | null;
}

const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export function applyChange(card: CardRecord, change: CardChange, now: Date): ChangeResult {
  const action: LifecycleAction = ['nickname', 'limits', 'options', 'restrictions'].includes(change.kind) ? 'update' : (change.kind as LifecycleAction);
  const move = planMove(action, card);
  if (move instanceof ApiError) throw move;
  const next: CardRecord = { ...card, status: move.to, updated_at: now };
  switch (change.kind) {
    case 'activate':
      next.pin_set = true;
      break;
    case 'discard':
      // The webhook's `discarded_at` is read from `discard_on`: the Paris day of the discard.
      next.discard_on = parisDate(now).day;
      break;
    case 'nickname':
      next.nickname = change.nickname.trim();
      return { card: next, event: 'nickname_updated' };
    case 'limits': {
      const patch = defined(change.limits);
      if (patch.payment_lifespan_limit !== undefined && card.card_level !== 'flash') {
        throw new ApiError(422, { code: 'not_allowed_for_card_level', detail: 'payment_lifespan_limit applies to flash cards only', source: { pointer: '/card/payment_lifespan_limit' } });
      }
      Object.assign(next, patch);
      throwIfAny(limitProblems(card.card_level, next));
      return { card: next, event: 'limits_updated' };
    }
    case 'options': {
      const patch = defined(change.options);
      throwIfAny(optionProblems(card.card_level, patch));
      Object.assign(next, patch);
      return { card: next, event: 'options_updated' };
    }
    case 'restrictions':
      if (change.active_days !== undefined) next.active_days = [...change.active_days].sort((a, b) => a - b);
      if (change.categories !== undefined) next.categories = change.categories;
      return { card: next, event: 'restrictions_updated' };
  }
  return { card: next, event: move.event };
}
