import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldCardCountDeltas } from '../../src/db/queries/card-counts.ts';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture, insertTestCards } from '../helpers/fixtures.ts';

// meta.total_count of the whole-organization path comes from counters: deltas appended by every write
// (006_count_deltas.sql) and folded later by the scheduler. The totals must be exact at every moment.

const { app, deps } = await startTestApp();
const db = deps.engine.db;

test('total_count stays exact through writes, before and after the deltas are folded', async () => {
  const org = await createOrgFixture(db);
  const cards = await insertTestCards(db, org, [
    { card_level: 'virtual' }, { card_level: 'virtual' }, { card_level: 'flash' }, { card_level: 'virtual', bank_account_id: org.accounts[1] },
  ]);
  const headers = { authorization: org.owner.auth };
  const total = async (query = '') => (await app.inject({ method: 'GET', url: `/v2/cards?per_page=1${query}`, headers })).json().meta.total_count;
  const expectTotals = async () => {
    assert.equal(await total(), 4);
    assert.equal(await total('&statuses[]=live'), 2);
    assert.equal(await total('&statuses[]=paused'), 1);
    assert.equal(await total('&statuses[]=discarded'), 1);
    assert.equal(await total('&card_levels[]=virtual&statuses[]=live'), 2);
    assert.equal(await total(`&bank_account_ids[]=${org.accounts[1]}`), 1);
  };
  assert.equal((await app.inject({ method: 'PUT', url: `/v2/cards/${cards[0]!.id}/lock`, headers })).statusCode, 200);
  assert.equal((await app.inject({ method: 'PUT', url: `/v2/cards/${cards[1]!.id}/lock`, headers })).statusCode, 200);
  assert.equal((await app.inject({ method: 'PUT', url: `/v2/cards/${cards[1]!.id}/unlock`, headers })).statusCode, 200);
  assert.equal((await app.inject({ method: 'PUT', url: `/v2/cards/${cards[2]!.id}/discard`, headers })).statusCode, 200);
  await expectTotals();
  while ((await foldCardCountDeltas(db)) > 0);
  const left = await db.selectFrom('card_count_deltas').select((eb) => eb.fn.countAll<number>().as('n')).where('organization_id', '=', org.id).executeTakeFirstOrThrow();
  assert.equal(Number(left.n), 0);
  await expectTotals();
});
