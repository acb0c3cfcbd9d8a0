import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CardStatus } from '../../src/db/schema.ts';
import type { CardRecord } from '../../src/domain/card.ts';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture, insertTestCards, type CardSpec } from '../helpers/fixtures.ts';

// Each sort key in both orders, with ties on the key broken by id in the same direction, dates with nulls
// last in both orders, and text in byte order (CONTRACT.md). Walks with a small per_page on both query
// shapes (counters for whole-organization roles, matched rows for a search) return every card exactly once.

const { app, deps } = await startTestApp();
const db = deps.engine.db;
const org = await createOrgFixture(db);

const base = Date.UTC(2025, 0, 1);
const at = (minutes: number) => new Date(base + minutes * 60_000);
const nicknames = ['b', 'B', 'a', 'a', 'é', 'Z', '💳 for 🍗', 'ａ', 'a b', 'a', 'zz', '', '_x', '%y'];
const statuses: CardStatus[] = ['live', 'paused', 'live', 'pending', 'abusive', 'live', 'pin_blocked', 'expired', 'live', 'onhold', 'paused', 'lost', 'live', 'stolen'];
const specs: CardSpec[] = nicknames.map((nickname, i) => ({
  nickname,
  status: statuses[i]!,
  // Ties on created_at (pairs) and on last_activity_at, and several nulls.
  created_at: at(Math.floor(i / 2)),
  last_activity_at: i % 3 === 0 ? null : at(100 + (i % 4)),
}));
const cards = await insertTestCards(db, org, specs);
// A second organization's cards never appear, whatever the sort.
const other = await createOrgFixture(db);
await insertTestCards(db, other, specs);

const byteCompare = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const time = (d: Date | null) => (d === null ? null : d.getTime());

function expectedOrder(key: 'status' | 'nickname' | 'last_activity_at' | 'created_at', order: 'asc' | 'desc'): string[] {
  const dir = order === 'asc' ? 1 : -1;
  const cmpKey = (a: CardRecord, b: CardRecord): number => {
    if (key === 'status' || key === 'nickname') return dir * byteCompare(a[key], b[key]);
    const x = time(a[key]);
    const y = time(b[key]);
    if (x === null && y === null) return 0;
    if (x === null) return 1; // nulls last in both orders
    if (y === null) return -1;
    return dir * (x - y);
  };
  return [...cards].sort((a, b) => cmpKey(a, b) || dir * byteCompare(a.id, b.id)).map((c) => c.id);
}

async function walk(qs: string, perPage: number): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const res = await app.inject({ method: 'GET', url: `/v2/cards?${qs}&per_page=${perPage}&page=${page}`, headers: { authorization: org.owner.auth } });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.meta.total_count, cards.length);
    ids.push(...body.cards.map((c: { id: string }) => c.id));
    if (body.meta.next_page === null) {
      assert.equal(page, body.meta.total_pages);
      return ids;
    }
    assert.equal(body.meta.next_page, page + 1);
  }
}

for (const key of ['status', 'nickname', 'last_activity_at', 'created_at'] as const) {
  for (const order of ['asc', 'desc'] as const) {
    test(`sort_by=${key}:${order} orders by ${key} then id ${order}, in one page and across a page walk`, async () => {
      const expected = expectedOrder(key, order);
      const res = await app.inject({ method: 'GET', url: `/v2/cards?sort_by=${key}:${order}`, headers: { authorization: org.owner.auth } });
      assert.deepEqual(res.json().cards.map((c: { id: string }) => c.id), expected);
      assert.deepEqual(await walk(`sort_by=${key}:${order}`, 3), expected);
      // The matched-rows shape (a search that every card matches: the holder's first name) orders the same.
      assert.deepEqual(await walk(`sort_by=${key}:${order}&query=emile`, 4), expected);
    });
  }
}

test('the default sort is status:asc', async () => {
  const res = await app.inject({ method: 'GET', url: '/v2/cards', headers: { authorization: org.owner.auth } });
  assert.deepEqual(res.json().cards.map((c: { id: string }) => c.id), expectedOrder('status', 'asc'));
});

test('a sorted, filtered walk returns exactly the matching cards once each', async () => {
  const live = cards.filter((c) => c.status === 'live' || c.status === 'paused').map((c) => c.id);
  const ids: string[] = [];
  for (let page = 1; page <= 10; page++) {
    const res = await app.inject({
      method: 'GET',
      url: `/v2/cards?statuses[]=live&statuses[]=paused&sort_by=nickname:desc&per_page=2&page=${page}`,
      headers: { authorization: org.owner.auth },
    });
    const body = res.json();
    assert.equal(body.meta.total_count, live.length);
    ids.push(...body.cards.map((c: { id: string }) => c.id));
  }
  assert.deepEqual(ids, expectedOrder('nickname', 'desc').filter((id) => live.includes(id)));
});
