import type { Role } from '../db/schema.ts';

// Who sees and who may change which card (CONTRACT.md "Who sees which cards", "Who may write"). A card the
// caller cannot see is answered 404 like an unknown one; a card they see but may not change, 403.

export interface Actor {
  role: Role;
  membershipId: string;
  teamId: string | null;
}

export function canSeeCard(actor: Actor, card: { holder_id: string }, holderTeamId: string | null): boolean {
  switch (actor.role) {
    case 'owner':
    case 'admin':
    case 'reporting':
      return true;
    case 'manager':
      return card.holder_id === actor.membershipId || (actor.teamId !== null && actor.teamId === holderTeamId);
    case 'employee':
      return card.holder_id === actor.membershipId;
  }
}

/**
 * - `admin_only`: unlock and the four PATCH endpoints (Qonto: "Only admins and owners …").
 * - `admin_or_holder`: lock, lost, stolen, discard; and qcards' own holder actions: sandbox activation and
 *   payments, and the data_view page (the PAN is shown to the holder and to owners and admins only).
 */
export type WriteRule = 'admin_only' | 'admin_or_holder';

export function mayWrite(actor: Actor, rule: WriteRule, card: { holder_id: string }): boolean {
  if (actor.role === 'owner' || actor.role === 'admin') return true;
  return rule === 'admin_or_holder' && card.holder_id === actor.membershipId;
}

/** Creating cards (CONTRACT.md is silent): owners and admins, for any member of their organization. */
export const mayCreateCards = (actor: Actor): boolean => actor.role === 'owner' || actor.role === 'admin';
