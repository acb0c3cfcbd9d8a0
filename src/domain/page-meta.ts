// Qonto's pagination `meta`, computed from the page asked for and the number of matching rows. Pure.

/** The highest `page` any list accepts: (page - 1) × per_page must fit SQL's OFFSET, so a bigger page is a 400
 * naming the parameter, never a 500. */
export const MAX_PAGE = 2_147_483_647;

export interface PageMeta {
  current_page: number;
  next_page: number | null;
  prev_page: number | null;
  total_pages: number;
  total_count: number;
  per_page: number;
}

/**
 * Keys in Qonto's order. `total_pages` is 0 when nothing matches (there is no page to walk); a page past the
 * end keeps `prev_page` pointing one page back, so a client walking backwards still lands somewhere.
 */
export function pageMeta(page: number, perPage: number, totalCount: number): PageMeta {
  const totalPages = Math.ceil(totalCount / perPage);
  return {
    current_page: page,
    next_page: page < totalPages ? page + 1 : null,
    prev_page: page > 1 ? page - 1 : null,
    total_pages: totalPages,
    total_count: totalCount,
    per_page: perPage,
  };
}

export const pageOffset = (page: number, perPage: number): number => (page - 1) * perPage;
