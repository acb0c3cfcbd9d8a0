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

  test('every UPDATE of a card row gives it a new version, plain SQL included, never one it had (014)', async () => {
    const card = await makeCard(app, org, 'virtual');
    const seen = [await versionOf(card.id)];
    await sql`UPDATE cards SET nickname = 'Changed by SQL' WHERE id = ${card.id}`.execute(db);
    seen.push(await versionOf(card.id));
    assert.equal((await put(app, org.owner, card.id, 'lock')).statusCode, 200);
    seen.push(await versionOf(card.id));
    // Even an UPDATE that changes nothing.
    await sql`UPDATE cards SET version = version WHERE id = ${card.id}`.execute(db);
    seen.push(await versionOf(card.id));
    assert.equal(new Set(seen).size, 4, `versions ${seen}`);
  });

  test("a change of a holder's name or team gives their cards new versions (014)", async () => {
    const card = await makeCard(app, org, 'virtual');
    assert.equal((await put(app, org.owner, card.id, 'lock')).statusCode, 200);
    const before = await versionOf(card.id);
    await sql`UPDATE memberships SET phone_number = phone_number WHERE id = ${org.employee.id}`.execute(db);
    assert.equal(await versionOf(card.id), before, 'a change of another column moves nothing');
    await sql`UPDATE memberships SET team_id = NULL WHERE id = ${org.employee.id}`.execute(db);
    const after = await versionOf(card.id);
    assert.notEqual(after, before);
    await sql`UPDATE memberships SET team_id = ${org.teamId} WHERE id = ${org.employee.id}`.execute(db);
    assert.notEqual(await versionOf(card.id), after);
  });

  test('concurrent locks of a remembered card: one 200, the others 422, one event', async () => {
    const card = await makeCard(app, org, 'virtual');
    assert.equal((await patch(app, org.owner, card.id, 'nickname', { nickname: 'Remembered' })).statusCode, 200);
    const answers = await Promise.all(Array.from({ length: 20 }, () => put(app, org.owner, card.id, 'lock')));
    const codes = answers.map((a) => a.statusCode).sort();
    assert.deepEqual(codes, [200, ...Array<number>(19).fill(422)], answers.map((a) => a.body).join('\n'));
    assert.deepEqual(await eventsOf(db, card.id), ['created', 'nickname_updated', 'locked']);
  });

  test('the PAN and CVV, which the remembered copy does not hold, stay as they were', async () => {
    const card = await makeCard(app, org, 'virtual');
    const secrets = () => db.selectFrom('cards').select(['pan', 'cvv']).where('id', '=', card.id).executeTakeFirstOrThrow();
    const before = await secrets();
    assert.match(before.pan, /^\d{12,19}$/);
    for (const action of ['lock', 'unlock', 'lock', 'unlock']) assert.equal((await put(app, org.owner, card.id, action)).statusCode, 200);
    assert.deepEqual(await secrets(), before);
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
