import { sql } from 'kysely';
import type { Db } from '../../src/db/engine.ts';
import { findCard } from '../../src/db/queries/cards.ts';
import { cardSearchText, renderCardJson } from '../../src/domain/card.ts';

export const DEFAULT_BENCH_URL = 'postgres://postgres@127.0.0.1:5432/qcards_bench';

/**
 * Reads back a sample of stored cards and checks that `api_json` and `search_text` are exactly what the
 * domain renderers produce from the row: the dataset must be what qcards itself would have written.
 */
export async function verifyRendering(db: Db, organizationId: string, sample: number): Promise<void> {
  const { rows } = await sql<{ id: string; api_json: string; search_text: string }>`
    SELECT id, api_json, search_text FROM cards WHERE organization_id = ${organizationId}
    ORDER BY md5(id::text) LIMIT ${sample}`.execute(db);
  for (const row of rows) {
    const found = await findCard(db, organizationId, row.id);
    if (!found) throw new Error(`card ${row.id} vanished`);
    if (renderCardJson(found.card) !== row.api_json) {
      throw new Error(`card ${row.id}: stored api_json differs from renderCardJson\nstored:   ${row.api_json}\nrendered: ${renderCardJson(found.card)}`);
    }
    if (cardSearchText(found.card, found.holder) !== row.search_text) throw new Error(`card ${row.id}: stored search_text differs`);
  }
}
