import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { foldCardCountDeltas } from '../../src/db/queries/card-counts.ts';
import { MIN_ANCHOR_POSITION, selectCardPage, type CardPageRequest } from '../../src/db/queries/card-list.ts';
import { CARD_STATUSES, type CardStatus } from '../../src/db/schema.ts';
import type { SortKey, SortOrder } from '../../src/domain/card-list.ts';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture, insertTestCards, type CardSpec } from '../helpers/fixtures.ts';

// Page anchors (src/services/page-anchors.ts): a deep page of the whole-organization list starts its walk from
// where a card of an earlier page stood, but only while the organization's order epoch (011_card_order_epoch.sql)
// is unchanged. Every page must be exactly what a walk from the start gives, before and after each change that
// can move a card in the list.

const { app, deps } = await startTestApp();
const db = deps.engine.db;
const org = await createOrgFixture(db);
const headers = { authorization: org.owner.auth };

// Anchors are used only past MIN_ANCHOR_POSITION, so the organization has a few pages more than that.
const N = MIN_ANCHOR_POSITION + 240;
const PER_PAGE = 100;
const base = Date.UTC(2025, 0, 1);
const at = (minutes: number) => new Date(base + minutes * 60_000);
const statuses: CardStatus[] = ['live', 'paused', 'live', 'pending', 'live', 'pin_blocked', 'live', 'lost'];
const specs: CardSpec[] = Array.from({ length: N }, (_, i) => ({
  // Ties on every key, broken by id; a tenth of the cards never used (last_activity_at null, sorted last), so
  // that sorted by last_activity_at, anchors past position 1,000 have a date and the next pages reach the nulls.
  nickname: ['Fuel', 'Ads', 'Travel 💳', 'ads', 'Fuel', 'Zeta'][i % 6]!,
  status: statuses[i % statuses.length]!,
  card_level: i % 5 === 0 ? 'standard' : 'virtual',
  created_at: at(Math.floor(i / 2)),
  last_activity_at: i % 10 === 0 ? null : at(100 + (i % 7)),
}));
for (let i = 0; i < N; i += 200) await insertTestCards(db, org, specs.slice(i, i + 200)); // a statement holds 65,535 values at most
await insertTestCards(db, await createOrgFixture(db), specs.slice(0, 40)); // another organization's cards never show

const SORTS = (['status', 'nickname', 'created_at', 'last_activity_at'] as const).flatMap((key) => (['asc', 'desc'] as const).map((order) => ({ key, order })));

/** The list's order straight from the table, independently of the endpoint. */
async function expectedIds(key: SortKey, order: SortOrder): Promise<string[]> {
  const dir = sql.raw(order === 'asc' ? 'ASC' : 'DESC');
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM cards WHERE organization_id = ${org.id} ORDER BY ${sql.ref(key)} ${dir} NULLS LAST, id ${dir}`.execute(db);
  return rows.map((r) => r.id);
}

async function pageIds(key: SortKey, order: SortOrder, page: number, perPage: number, filter = ''): Promise<string[]> {
  const res = await app.inject({ method: 'GET', url: `/v2/cards?sort_by=${key}:${order}&per_page=${perPage}&page=${page}${filter}`, headers });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().cards.map((c: { id: string }) => c.id);
}

for (const { key, order } of SORTS) {
  test(`sort_by=${key}:${order}: walks from anchors and pages out of order match the order from the start`, async () => {
    const expected = await expectedIds(key, order);
    const pages = Math.ceil(N / PER_PAGE);
    for (let walk = 0; walk < 2; walk++) {
      const ids: string[] = [];
      for (let page = 1; page <= pages + 1; page++) ids.push(...(await pageIds(key, order, page, PER_PAGE)));
      assert.deepEqual(ids, expected, `walk ${walk + 1}`);
    }
    const slice = (page: number, perPage: number) => expected.slice((page - 1) * perPage, page * perPage);
    for (const page of [12, 11, 11, 13, 1, 12, 14]) assert.deepEqual(await pageIds(key, order, page, PER_PAGE), slice(page, PER_PAGE), `page ${page}`);
    // Another page size starts at positions the anchors do not hold exactly.
    for (const page of [30, 31, 28, 33]) assert.deepEqual(await pageIds(key, order, page, 37), slice(page, 37), `page ${page} of 37`);
    // A filter matching every card is another list, with anchors of its own, and the same order.
    const everyStatus = CARD_STATUSES.map((s) => `&statuses[]=${s}`).join('');
    for (const page of [12, 13, 12]) assert.deepEqual(await pageIds(key, order, page, PER_PAGE, everyStatus), slice(page, PER_PAGE));
  });
}

/** Serves page `page` (warming its anchors), applies `change`, and checks the page is the new order's. */
async function pageAfter(key: SortKey, order: SortOrder, page: number, change: (before: string[]) => Promise<void>) {
  const perPage = PER_PAGE;
  const slice = (ids: string[]) => ids.slice((page - 1) * perPage, page * perPage);
  await pageIds(key, order, page - 1, perPage);
  const served = await pageIds(key, order, page, perPage);
  assert.deepEqual(served, slice(await expectedIds(key, order)));
  await change(await expectedIds(key, order));
  const now = slice(await expectedIds(key, order));
  assert.notDeepEqual(now, served, 'the change must move the page, or this test proves nothing');
  assert.deepEqual(await pageIds(key, order, page, perPage), now);
  assert.deepEqual(await pageIds(key, order, page + 1, perPage), (await expectedIds(key, order)).slice(page * perPage, (page + 1) * perPage));
}

const liveCards = async () =>
  (await db.selectFrom('cards').select('id').where('organization_id', '=', org.id).where('status', '=', 'live').execute()).map((c) => c.id);

test('a status change moves the page at once', async () => {
  // Ascending, page 12 lies among the pin_blocked cards: a live card reported stolen moves from before it to after it.
  await pageAfter('status', 'asc', 12, async (ids) => {
    const live = await liveCards();
    const physical = (await db.selectFrom('cards').select('id').where('organization_id', '=', org.id).where('card_level', '=', 'standard').execute()).map((c) => c.id);
    const card = ids.find((id) => live.includes(id) && physical.includes(id))!;
    assert.equal((await app.inject({ method: 'PUT', url: `/v2/cards/${card}/stolen`, headers })).statusCode, 200);
  });
  // Descending, page 12 lies among the live cards: the last one, locked, moves from after it to before it.
  await pageAfter('status', 'desc', 12, async (ids) => {
    const live = await liveCards();
    const card = [...ids].reverse().find((id) => live.includes(id))!;
    assert.equal((await app.inject({ method: 'PUT', url: `/v2/cards/${card}/lock`, headers })).statusCode, 200);
  });
});

test('a nickname change moves the page at once', async () => {
  await pageAfter('nickname', 'asc', 12, async (ids) => {
    const live = await liveCards();
    const card = ids.find((id) => live.includes(id))!;
    const res = await app.inject({ method: 'PATCH', url: `/v2/cards/${card}/nickname`, headers, payload: { card: { nickname: 'zzz last' } } });
    assert.equal(res.statusCode, 200, res.body);
  });
});

test('a payment (last_activity_at) moves the page at once', async () => {
  await pageAfter('last_activity_at', 'desc', 12, async (ids) => {
    const live = await liveCards();
    const unused = (await db.selectFrom('cards').select('id').where('organization_id', '=', org.id).where('last_activity_at', 'is', null).execute()).map((c) => c.id);
    // The last card of the list was never used: used now, it becomes the first, and every page after it moves.
    const card = [...ids].reverse().find((id) => live.includes(id) && unused.includes(id))!;
    const res = await app.inject({ method: 'POST', url: `/qcards/sandbox/v1/cards/${card}/payments`, headers, payload: { amount: 1, online: true } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().result, 'approved', res.body);
  });
});

test('a new card before the page moves the page at once', async () => {
  await pageAfter('created_at', 'asc', 12, async () => {
    await insertTestCards(db, org, [{ created_at: at(-10) }]);
  });
});

/** A page of 5 at `offset` past MIN_ANCHOR_POSITION, where the statement takes and gives anchors. */
const request = (offset: number): CardPageRequest => ({
  organizationId: org.id, visibility: { kind: 'organization' }, filters: { statuses: [...CARD_STATUSES] },
  sort: { key: 'created_at', order: 'asc' }, limit: 5, offset: MIN_ANCHOR_POSITION + offset,
});

test('the statement starts from an anchor of the current epoch, and ignores one of another epoch', async () => {
  // Counted from MIN_ANCHOR_POSITION, as request() counts.
  const expected = (await expectedIds('created_at', 'asc')).slice(MIN_ANCHOR_POSITION);
  const atTen = (await selectCardPage(db, request(10))).anchors[0]!;
  assert.equal(atTen.id, expected[10]);
  // A date key is ISO 8601 with its offset, which the connection's DateStyle and TimeZone cannot change.
  assert.match(atTen.key!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/);
  // An anchor that lies about its position is believed while its epoch is current: proof the walk starts there.
  const lying = { ...atTen, position: MIN_ANCHOR_POSITION + 5 };
  assert.deepEqual((await selectCardPage(db, { ...request(5), anchor: lying })).cards.map((c) => JSON.parse(c).id), expected.slice(10, 15));
  // Of another epoch, it is not used at all.
  const stale = { ...lying, epoch: String(BigInt(atTen.epoch) - 1n) };
  assert.deepEqual((await selectCardPage(db, { ...request(5), anchor: stale })).cards.map((c) => JSON.parse(c).id), expected.slice(5, 10));
});

test('folding the counter deltas keeps the epoch; a change that moves a card does not, one that cannot does', async () => {
  const epoch = async () => (await selectCardPage(db, request(0))).anchors[0]!.epoch;
  const before = await epoch();
  while ((await foldCardCountDeltas(db)) > 0);
  assert.equal(await epoch(), before);
  const [card] = await expectedIds('created_at', 'asc');
  const limits = await app.inject({ method: 'PATCH', url: `/v2/cards/${card}/limits`, headers, payload: { card: { payment_monthly_limit: 1234 } } });
  assert.equal(limits.statusCode, 200, limits.body);
  assert.equal(await epoch(), before, 'a limit change cannot move a card in the list');
  assert.equal((await app.inject({ method: 'PUT', url: `/v2/cards/${card}/discard`, headers })).statusCode, 200);
  assert.notEqual(await epoch(), before);
});

test('a payment moves the epoch of the last_activity_at sorts only', async () => {
  const epochOf = async (key: SortKey) => (await selectCardPage(db, { ...request(0), sort: { key, order: 'desc' } })).anchors[0]!.epoch;
  const keys = ['status', 'nickname', 'created_at', 'last_activity_at'] as const;
  const before = await Promise.all(keys.map(epochOf));
  const [card] = await liveCards();
  const res = await app.inject({ method: 'POST', url: `/qcards/sandbox/v1/cards/${card}/payments`, headers, payload: { amount: 1, online: true } });
  assert.equal(res.statusCode, 200, res.body);
  const after = await Promise.all(keys.map(epochOf));
  assert.deepEqual(after.slice(0, 3), before.slice(0, 3));
  assert.notEqual(after[3], before[3]);
  // Still so once the deltas are folded.
  while ((await foldCardCountDeltas(db)) > 0);
  assert.deepEqual(await Promise.all(keys.map(epochOf)), after);
});

// Random interleavings of deep-page reads and changes, made in plain SQL so that every kind of change reaches the
// table the way any writer's would (statuses, nicknames, last_activity_at, inserts, deletes, changes that cannot
// move a card, folds): every page read must be the order from the start at that moment.
test('random interleavings of deep pages and changes: every page is the order from the start', async () => {
  const cardIds = async () => (await db.selectFrom('cards').select('id').where('organization_id', '=', org.id).orderBy('id').execute()).map((c) => c.id);
  const read = fc.record({ kind: fc.constant('read' as const), sort: fc.constantFrom(...SORTS), page: fc.integer({ min: 11, max: 13 }), perPage: fc.constantFrom(100, 37) });
  const change = fc.record({
    kind: fc.constantFrom('status', 'nickname', 'last_activity_at', 'insert', 'delete', 'limits', 'fold'),
    card: fc.nat(),
    status: fc.constantFrom(...CARD_STATUSES),
    nickname: fc.constantFrom('', 'Ads', 'Fuel', 'zz', '💳'),
    minutes: fc.option(fc.integer({ min: 0, max: 200 }), { nil: null }),
  });
  await fc.assert(fc.asyncProperty(fc.array(fc.oneof(read, read, change), { minLength: 4, maxLength: 12 }), async (ops) => {
    for (const op of ops) {
      if (op.kind === 'read') {
        const { key, order } = op.sort;
        // Deep pages only: perPage 37 from page 28 on starts past position 1,000 too.
        const page = op.perPage === 100 ? op.page : op.page + 17;
        const expected = (await expectedIds(key, order)).slice((page - 1) * op.perPage, page * op.perPage);
        assert.deepEqual(await pageIds(key, order, page, op.perPage), expected, JSON.stringify(op));
        continue;
      }
      const ids = await cardIds();
      const id = ids[op.card % ids.length]!;
      const card = db.updateTable('cards').where('id', '=', id);
      if (op.kind === 'status') await card.set({ status: op.status }).execute();
      if (op.kind === 'nickname') await card.set({ nickname: op.nickname }).execute();
      if (op.kind === 'last_activity_at') await card.set({ last_activity_at: op.minutes === null ? null : at(op.minutes) }).execute();
      if (op.kind === 'limits') await card.set({ payment_monthly_limit: 1000 + op.card % 100 }).execute();
      if (op.kind === 'insert') await insertTestCards(db, org, [{ nickname: op.nickname, status: op.status, created_at: at(op.card % 700), last_activity_at: op.minutes === null ? null : at(op.minutes) }]);
      if (op.kind === 'delete' && ids.length > N - 20) await db.deleteFrom('cards').where('id', '=', id).execute();
      if (op.kind === 'fold') while ((await foldCardCountDeltas(db)) > 0);
    }
  }), { numRuns: 25 });
});
