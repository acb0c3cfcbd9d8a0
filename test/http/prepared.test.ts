import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openEngine } from '../../src/db/engine.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { authenticate } from '../../src/services/credentials.ts';
import { TEST_ENGINE, openTestEngine } from '../helpers/engine.ts';
import { createOrgFixture } from '../helpers/fixtures.ts';

// src/db/prepared.ts: the marked hot statements are named prepared statements on PostgreSQL, prepared once
// per connection and reused; everything else stays unnamed (pg_prepared_statements lists named ones only).

const skip = TEST_ENGINE !== 'postgres' ? 'PGlite has no named prepared statements: the marker is a plain comment there' : false;

test('authentication runs as one named prepared statement per connection, reused by every request', { skip }, async () => {
  const base = await openTestEngine();
  // One connection, so the statements below and the catalogue query share a session.
  const engine = await openEngine({ databaseUrl: base.databaseUrl, poolSize: 1 });
  try {
    const org = await createOrgFixture(base.engine.db);
    for (const who of [org.owner, org.employee, org.owner]) {
      const principal = await authenticate(engine.db, systemClock, who.auth);
      assert.equal(typeof principal, 'object');
    }
    const { rows } = await sql<{ name: string; statement: string }>`SELECT name, statement FROM pg_prepared_statements`.execute(engine.db);
    assert.equal(rows.length, 1, JSON.stringify(rows));
    assert.match(rows[0]!.name, /^qc_/);
    assert.match(rows[0]!.statement, /"credentials"\."secret_hash" = \$1/);
    // A wrong secret takes the same statement and still fails.
    assert.equal(await authenticate(engine.db, systemClock, `${org.owner.auth}x`), 'invalid');
  } finally {
    await engine.close();
    await base.close();
  }
});
