import type { Db } from '../db/engine.ts';
import { anchorable, selectCardJson, selectCardPage, type CardPageRequest, type CardVisibility } from '../db/queries/card-list.ts';
import type { CardListParams } from '../domain/card-list.ts';
import { pageMeta, type PageMeta } from '../domain/page-meta.ts';
import { notFound } from '../domain/errors.ts';
import type { Principal } from './credentials.ts';
import { isUuid } from '../domain/uuid.ts';
import { listKey, nearestAnchor, rememberAnchors } from './page-anchors.ts';

// Reads of cards: no transaction (one statement each, so one snapshot), no parsing of the stored JSON.

/** CONTRACT.md "Who sees which cards": owners, admins and reporting the organization; managers their team's
 * cards and their own; employees their own. */
export function cardVisibility(principal: Principal): CardVisibility {
  switch (principal.role) {
    case 'owner':
    case 'admin':
    case 'reporting':
      return { kind: 'organization' };
    case 'manager':
      return { kind: 'team', teamId: principal.teamId, membershipId: principal.membershipId };
    default:
      return { kind: 'own', membershipId: principal.membershipId };
  }
}

export interface CardListPage {
  meta: PageMeta;
  /** The cards' JSON objects, in order. */
  cards: string[];
}

export async function listCards(db: Db, principal: Principal, params: CardListParams): Promise<CardListPage> {
  const req: CardPageRequest = {
    organizationId: principal.organizationId,
    visibility: cardVisibility(principal),
    filters: params.filters,
    sort: params.sort,
    limit: params.perPage,
    offset: (params.page - 1) * params.perPage,
  };
  // Deep pages start from where an earlier page's cards stood, when that is still true (./page-anchors.ts).
  const list = anchorable(req) ? listKey(req) : undefined;
  if (list !== undefined) req.anchor = nearestAnchor(db, list, req.offset);
  const { totalCount, cards, anchors } = await selectCardPage(db, req);
  if (list !== undefined) rememberAnchors(db, list, anchors);
  return { meta: pageMeta(params.page, params.perPage, totalCount), cards };
}


/** One card's API JSON; unknown, foreign, hidden-by-role and malformed ids are the same 404. */
export async function getCardJson(db: Db, principal: Principal, id: string): Promise<string> {
  const json = isUuid(id)
    ? await selectCardJson(db, principal.organizationId, cardVisibility(principal), id.toLowerCase())
    : undefined;
  if (json === undefined) throw notFound('card');
  return json;
}
