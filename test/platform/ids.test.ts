import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { timeOrderedId } from '../../src/db/ids.ts';
import { openTestEngine } from '../helpers/engine.ts';

// The ids of the rows every card change inserts start with the time (src/db/ids.ts, migration 017): UUID
// version 7, whose first 48 bits are Unix milliseconds, so that new index entries go to the end of the index.

const VERSION_7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** The milliseconds a version-7 id starts with. */
const timeOf = (id: string) => parseInt(id.replaceAll('-', '').slice(0, 12), 16);

const { engine, close } = await openTestEngine();
after(close);

test('timeOrderedId: a version-7 UUID of the time given, random after it, later times sorting after', () => {
  const at = Date.UTC(2026, 10, 25, 8, 0, 0, 123);
  const ids = Array.from({ length: 1000 }, () => timeOrderedId(at));
  for (const id of ids) {
    assert.match(id, VERSION_7);
    assert.equal(timeOf(id), at);
  }
  assert.equal(new Set(ids).size, ids.length, 'distinct within one millisecond');
  const later = timeOrderedId(at + 1);
  assert.ok(ids.every((id) => id < later), 'a later millisecond sorts after, as text and as uuid');
  assert.match(timeOrderedId(), VERSION_7);
  assert.ok(Math.abs(timeOf(timeOrderedId()) - Date.now()) < 1000, 'the current time by default');
});

test('qcards_time_ordered_id(): the same format from SQL, at the database clock', async () => {
  const before = Date.now();
  const { rows } = await sql<{ id: string }>`SELECT qcards_time_ordered_id()::text AS id FROM generate_series(1, 500)`.execute(engine.db);
  const afterwards = Date.now();
  assert.equal(new Set(rows.map((r) => r.id)).size, 500);
  for (const { id } of rows) {
    assert.match(id, VERSION_7);
    // The database's clock is this machine's (PGlite runs in this process); a second of slack for PostgreSQL's.
    assert.ok(timeOf(id) >= before - 1000 && timeOf(id) <= afterwards + 1000, `${id} made between ${before} and ${afterwards}`);
  }
});
