import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import type { TestContext } from '../helpers/app.ts';
import { createOrgFixture } from '../helpers/fixtures.ts';
import { eventsOf, makeCard, patch, put } from '../helpers/lifecycle.ts';

// A change to a card this process wrote last skips the read (src/services/card-cache.ts). Each test first
// writes the card through the API, so the process remembers it, then changes the row behind its back, as
// another server or plain SQL would, and checks that the next write starts from the row as it is.

export async function cardCacheTests(ctx: TestContext): Promise<void> {
  const { app, deps } = ctx;
  const db = deps.engine.db;
  const org = await createOrgFixture(db);
  const other = await createOrgFixture(db);

  const versionOf = async (id: string) =>
    (await db.selectFrom('cards').select('version').where('id', '=', id).executeTakeFirstOrThrow()).version;

  test('every UPDATE of a card row bumps its version, plain SQL included (014)', async () => {
    const card = await makeCard(app, org, 'virtual');
    const before = await versionOf(card.id);
    await sql`UPDATE cards SET nickname = 'Changed by SQL' WHERE id = ${card.id}`.execute(db);
    assert.equal(await versionOf(card.id), before + 1);
    assert.equal((await put(app, org.owner, card.id, 'lock')).statusCode, 200);
    assert.equal(await versionOf(card.id), before + 2);
  });

  test('a card changed elsewhere since this process wrote it is read again, not overwritten', async () => {
    const card = await makeCard(app, org, 'virtual');
    assert.equal((await put(app, org.owner, card.id, 'lock')).statusCode, 200);
    await sql`UPDATE cards SET nickname = 'Changed elsewhere' WHERE id = ${card.id}`.execute(db);
    const res = await patch(app, org.owner, card.id, 'limits', { payment_monthly_limit: 1234 });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().card.nickname, 'Changed elsewhere');
    assert.equal(res.json().card.payment_monthly_limit, 1234);
    const row = await db.selectFrom('cards').select(['nickname', 'status']).where('id', '=', card.id).executeTakeFirstOrThrow();
    assert.deepEqual({ ...row }, { nickname: 'Changed elsewhere', status: 'paused' });
    assert.deepEqual(await eventsOf(db, card.id), ['created', 'locked', 'limits_updated']);
  });

  test('a move the remembered copy refuses is decided on the card as it is: accepted', async () => {
    const card = await makeCard(app, org, 'virtual');
    assert.equal((await put(app, org.owner, card.id, 'lock')).statusCode, 200);
    // Remembered: paused, which cannot be locked again. In the database: live again.
    await sql`UPDATE cards SET status = 'live' WHERE id = ${card.id}`.execute(db);
    const res = await put(app, org.owner, card.id, 'lock');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().card.status, 'paused');
    assert.deepEqual(await eventsOf(db, card.id), ['created', 'locked', 'locked']);
  });

  test('a move the remembered copy allows is decided on the card as it is: refused, nothing written', async () => {
    const card = await makeCard(app, org, 'virtual');
    assert.equal((await put(app, org.owner, card.id, 'lock')).statusCode, 200);
    assert.equal((await put(app, org.owner, card.id, 'unlock')).statusCode, 200);
    // Remembered: live, which can be locked. In the database: discarded, which cannot.
    await sql`UPDATE cards SET status = 'discarded' WHERE id = ${card.id}`.execute(db);
    const version = await versionOf(card.id);
    const res = await put(app, org.owner, card.id, 'lock');
    assert.equal(res.statusCode, 422, res.body);
    assert.equal(await versionOf(card.id), version);
    assert.deepEqual(await eventsOf(db, card.id), ['created', 'locked', 'unlocked']);
  });

  test('a remembered card is still 404 to another organization and to a member who may not see it', async () => {
    const card = await makeCard(app, org, 'virtual');
    assert.equal((await put(app, org.owner, card.id, 'lock')).statusCode, 200);
    const foreign = await put(app, other.owner, card.id, 'unlock');
    assert.equal(foreign.statusCode, 404, foreign.body);
    // The holder is org.employee; org.outsider is an employee too, and sees only their own cards.
    const hidden = await put(app, org.outsider, card.id, 'lock');
    assert.equal(hidden.statusCode, 404, hidden.body);
    assert.equal((await db.selectFrom('cards').select('status').where('id', '=', card.id).executeTakeFirstOrThrow()).status, 'paused');
    assert.deepEqual(await eventsOf(db, card.id), ['created', 'locked']);
  });

  test('the card as answered after a remembered write is the row as stored', async () => {
    const card = await makeCard(app, org, 'virtual');
    assert.equal((await put(app, org.owner, card.id, 'lock')).statusCode, 200);
    const res = await put(app, org.owner, card.id, 'unlock');
    assert.equal(res.statusCode, 200, res.body);
    const stored = await db.selectFrom('cards').select('api_json').where('id', '=', card.id).executeTakeFirstOrThrow();
    assert.deepEqual(res.json().card, JSON.parse(stored.api_json));
  });
}
