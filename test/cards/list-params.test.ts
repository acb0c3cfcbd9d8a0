import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture, insertTestCards } from '../helpers/fixtures.ts';

const { app, deps } = await startTestApp();
const db = deps.engine.db;

const org = await createOrgFixture(db);
const cards = await insertTestCards(db, org, Array.from({ length: 7 }, (_, i) => ({ nickname: `card ${i}` })));

async function list(qs: string, auth = org.owner.auth) {
  const res = await app.inject({ method: 'GET', url: `/v2/cards${qs}`, headers: { authorization: auth } });
  return { status: res.statusCode, body: res.json(), headers: res.headers, raw: res.body };
}

function assertBadParameter(body: any, parameter: string, code?: string) {
  assert.ok(Array.isArray(body.errors) && body.errors.length > 0, JSON.stringify(body));
  const item = body.errors.find((e: any) => e.source?.parameter === parameter);
  assert.ok(item, `an error naming ${parameter}: ${JSON.stringify(body)}`);
  assert.equal(typeof item.detail, 'string');
  if (code) assert.equal(item.code, code);
  assert.match(body.trace_id, /^[0-9a-f]{32}$/);
}

const SEED_KEYS = [
  'id', 'nickname', 'embossed_name', 'status', 'pin_set', 'mask_pan', 'exp_month', 'exp_year', 'last_activity_at',
  'last_digits', 'ship_to_business', 'atm_option', 'nfc_option', 'online_option', 'foreign_option', 'atm_monthly_limit',
  'atm_monthly_spent', 'atm_daily_limit', 'atm_daily_spent', 'atm_daily_limit_option', 'payment_monthly_limit',
  'payment_monthly_spent', 'payment_daily_limit', 'payment_daily_spent', 'payment_daily_limit_option',
  'payment_transaction_limit', 'payment_transaction_limit_option', 'active_days', 'holder_id', 'bank_account_id',
  'organization_id', 'updated_at', 'created_at', 'shipped_at', 'card_type', 'card_level', 'payment_lifespan_limit',
  'payment_lifespan_spent', 'pre_expires_at', 'categories', 'renewed', 'renewal', 'parent_card_summary',
  'had_operation', 'had_pin_operation', 'card_design', 'type_of_print', 'upsold', 'upsell', 'discard_on', 'reordered',
];

test('defaults: page 1, 100 per page, meta in Qonto key order with null next/prev on a single page', async () => {
  const { status, body, headers } = await list('');
  assert.equal(status, 200);
  assert.match(String(headers['content-type']), /^application\/json/);
  assert.deepEqual(Object.keys(body), ['meta', 'cards']);
  assert.deepEqual(Object.keys(body.meta), ['current_page', 'next_page', 'prev_page', 'total_pages', 'total_count', 'per_page']);
  assert.deepEqual(body.meta, { current_page: 1, next_page: null, prev_page: null, total_pages: 1, total_count: 7, per_page: 100 });
  assert.equal(body.cards.length, 7);
});

test('every card has the seed keys in order plus the three newer ones, with the seed JSON types', async () => {
  const { body } = await list('');
  for (const card of body.cards) {
    const keys = Object.keys(card);
    assert.deepEqual(keys.filter((k) => SEED_KEYS.includes(k)), SEED_KEYS);
    assert.deepEqual(keys.filter((k) => !SEED_KEYS.includes(k)).sort(), ['appearance', 'has_only_user_liftable_locks', 'initiator_id']);
    for (const k of ['atm_monthly_limit', 'atm_daily_limit', 'payment_monthly_limit', 'payment_daily_limit', 'payment_transaction_limit']) {
      assert.ok(Number.isInteger(card[k]), k);
    }
    for (const k of ['atm_monthly_spent', 'atm_daily_spent', 'payment_monthly_spent', 'payment_daily_spent', 'payment_lifespan_spent']) {
      assert.equal(typeof card[k], 'number', k);
    }
    for (const k of ['pin_set', 'atm_option', 'nfc_option', 'online_option', 'foreign_option', 'renewed', 'renewal', 'upsold', 'upsell', 'reordered']) {
      assert.equal(typeof card[k], 'boolean', k);
    }
    assert.equal(typeof card.exp_month, 'string');
    assert.equal(typeof card.exp_year, 'string');
    assert.match(card.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Array.isArray(card.active_days) && Array.isArray(card.categories));
    assert.equal(card.organization_id, org.id);
  }
});

test('per_page and page split the cards with integer next/prev pages', async () => {
  const p1 = await list('?per_page=3');
  assert.deepEqual(p1.body.meta, { current_page: 1, next_page: 2, prev_page: null, total_pages: 3, total_count: 7, per_page: 3 });
  assert.equal(p1.body.cards.length, 3);
  const p2 = await list('?per_page=3&page=2');
  assert.deepEqual(p2.body.meta, { current_page: 2, next_page: 3, prev_page: 1, total_pages: 3, total_count: 7, per_page: 3 });
  const p3 = await list('?per_page=3&page=3');
  assert.deepEqual(p3.body.meta, { current_page: 3, next_page: null, prev_page: 2, total_pages: 3, total_count: 7, per_page: 3 });
  assert.equal(p3.body.cards.length, 1);
  const ids = [...p1.body.cards, ...p2.body.cards, ...p3.body.cards].map((c: any) => c.id).sort();
  assert.deepEqual(ids, cards.map((c) => c.id).sort());
});

test('a page past the end returns no cards with correct meta', async () => {
  const { status, body } = await list('?per_page=3&page=9');
  assert.equal(status, 200);
  assert.deepEqual(body, { meta: { current_page: 9, next_page: null, prev_page: 8, total_pages: 3, total_count: 7, per_page: 3 }, cards: [] });
});

test('no matching card gives total_count 0, total_pages 0 and an empty list', async () => {
  const { body } = await list('?statuses[]=abusive');
  assert.deepEqual(body, { meta: { current_page: 1, next_page: null, prev_page: null, total_pages: 0, total_count: 0, per_page: 100 }, cards: [] });
});

test('per_page accepts 1 and 100', async () => {
  assert.equal((await list('?per_page=1')).body.cards.length, 1);
  assert.equal((await list('?per_page=100')).body.meta.per_page, 100);
});

for (const [qs, parameter, code] of [
  ['?page=0', 'page', 'out_of_range'],
  ['?page=-1', 'page', 'invalid_type'],
  ['?page=abc', 'page', 'invalid_type'],
  ['?page=1.5', 'page', 'invalid_type'],
  ['?page=2147483648', 'page', 'out_of_range'],
  ['?page=99999999999999999999999', 'page', 'out_of_range'],
  ['?per_page=0', 'per_page', 'out_of_range'],
  ['?per_page=101', 'per_page', 'out_of_range'],
  ['?per_page=ten', 'per_page', 'invalid_type'],
  ['?per_page=%201', 'per_page', 'invalid_type'],
  ['?sort_by=amount:asc', 'sort_by', 'invalid_sort_property'],
  ['?sort_by=status:up', 'sort_by', 'invalid_sort_order'],
  ['?sort_by=status', 'sort_by', 'invalid_sort_order'],
  ['?sort_by=status:asc:x', 'sort_by', 'invalid_sort_order'],
  ['?sort_by=STATUS:ASC', 'sort_by', 'invalid_sort_property'],
  ['?statuses[]=active', 'statuses[]', 'not_in_list'],
  ['?statuses[]=live&statuses[]=nope', 'statuses[]', 'not_in_list'],
  ['?statuses[]=', 'statuses[]', 'not_in_list'],
  ['?card_levels[]=gold', 'card_levels[]', 'not_in_list'],
  ['?holder_ids[]=123', 'holder_ids[]', 'invalid_format'],
  ['?bank_account_ids[]=not-a-uuid', 'bank_account_ids[]', 'invalid_format'],
  ['?ids[]=00000000-0000-0000-0000-00000000000g', 'ids[]', 'invalid_format'],
  ['?ids[]=', 'ids[]', 'invalid_format'],
] as const) {
  test(`${qs} is a 400 naming ${parameter} with code ${code}`, async () => {
    const { status, body } = await list(qs);
    assert.equal(status, 400);
    assertBadParameter(body, parameter, code);
  });
}

test('every bad parameter of one request is reported together', async () => {
  const { status, body } = await list('?page=x&per_page=500&sort_by=foo:bar&statuses[]=x&card_levels[]=y&ids[]=z&holder_ids[]=z&bank_account_ids[]=z');
  assert.equal(status, 400);
  for (const p of ['page', 'per_page', 'sort_by', 'statuses[]', 'card_levels[]', 'ids[]', 'holder_ids[]', 'bank_account_ids[]']) {
    assertBadParameter(body, p);
  }
});

test('unknown parameters are ignored', async () => {
  const { status, body } = await list('?foo=bar&statuses=nonsense&status[]=x&sort=weird');
  assert.equal(status, 200);
  assert.equal(body.meta.total_count, 7);
});

test('a repeated scalar parameter takes its last value', async () => {
  const { status, body } = await list('?per_page=500&per_page=2&page=1&page=2');
  assert.equal(status, 200);
  assert.equal(body.meta.per_page, 2);
  assert.equal(body.meta.current_page, 2);
});

test('empty scalar values fall back to their defaults', async () => {
  const { status, body } = await list('?page=&per_page=&sort_by=&query=');
  assert.equal(status, 200);
  assert.deepEqual(body.meta, { current_page: 1, next_page: null, prev_page: null, total_pages: 1, total_count: 7, per_page: 100 });
});

test('a single value of an array parameter works like a one-element list, and repeats are harmless', async () => {
  const one = await list(`?ids[]=${cards[0]!.id}`);
  assert.deepEqual(one.body.cards.map((c: any) => c.id), [cards[0]!.id]);
  const twice = await list(`?ids[]=${cards[0]!.id}&ids[]=${cards[0]!.id.toUpperCase()}`);
  assert.equal(twice.status, 200);
  assert.deepEqual(twice.body.cards.map((c: any) => c.id), [cards[0]!.id]);
  assert.equal(twice.body.meta.total_count, 1);
});

test('leading zeros in page and per_page are accepted', async () => {
  const { status, body } = await list('?page=02&per_page=003');
  assert.equal(status, 200);
  assert.equal(body.meta.current_page, 2);
  assert.equal(body.meta.per_page, 3);
});
