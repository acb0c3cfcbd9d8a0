import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { TestContext } from '../helpers/app.ts';
import { createOrgFixture } from '../helpers/fixtures.ts';
import { createCard, eventsOf, makeCardWithSca, newCardBody, patch, put } from '../helpers/lifecycle.ts';

/** Registers this group's tests on the file's app (see the *.test.ts that imports it). */
export async function scaTests(ctx: TestContext): Promise<void> {
  const { app, deps, clock } = ctx;
  void clock;
  const db = deps.engine.db;
  const org = await createOrgFixture(db);
  const other = await createOrgFixture(db);

  const decide = (token: string, result: 'allow' | 'deny', auth = org.owner.auth) =>
    app.inject({ method: 'POST', url: `/v2/mocked_sca_sessions/${token}/${result}`, headers: { authorization: auth } });
  const poll = (token: string, auth = org.owner.auth) => app.inject({ method: 'GET', url: `/v2/sca_sessions/${token}`, headers: { authorization: auth } });

  describe('sca', () => {
    before(() => { deps.config.scaEnabled = true; });
    after(() => { deps.config.scaEnabled = false; });

    test('create: 428 with a token → allow → the identical request with the token succeeds', async () => {
      const body = newCardBody(org, 'virtual', { nickname: 'sca-create' });
      const first = await createCard(app, org.owner.auth, body);
      assert.equal(first.statusCode, 428, first.body);
      const { sca_session_token: token, errors, message } = first.json();
      assert.equal(message, errors[0].detail);
      assert.equal(typeof token, 'string');
      assert.equal(errors[0].code, 'sca_required');
      assert.deepEqual((await poll(token)).json(), { result: 'waiting', canceled_at: '' });
      const waiting = await createCard(app, org.owner.auth, body, randomUUID(), { 'x-qonto-sca-session-token': token });
      assert.equal(waiting.statusCode, 428);
      assert.equal(waiting.json().errors[0].code, 'sca_pending');
      const allowed = await decide(token, 'allow');
      assert.equal(allowed.statusCode, 200);
      assert.deepEqual(allowed.json(), { message: 'Success' });
      assert.deepEqual((await poll(token)).json(), { result: 'allow', canceled_at: '' });
      const done = await createCard(app, org.owner.auth, body, randomUUID(), { 'x-qonto-sca-session-token': token });
      assert.equal(done.statusCode, 200, done.body);
      const used = await createCard(app, org.owner.auth, body, randomUUID(), { 'x-qonto-sca-session-token': token });
      assert.equal(used.statusCode, 428);
      assert.equal(used.json().errors[0].code, 'sca_session_used');
      const cards = await db.selectFrom('cards').select('id').where('nickname', '=', 'sca-create').execute();
      assert.equal(cards.length, 1);
    });

    test('the replay may reuse the idempotency key of the 428 request', async () => {
      const key = randomUUID();
      const body = newCardBody(org, 'virtual');
      const first = await createCard(app, org.owner.auth, body, key);
      assert.equal(first.statusCode, 428);
      await decide(first.json().sca_session_token, 'allow');
      const res = await createCard(app, org.owner.auth, body, key, { 'x-qonto-sca-session-token': first.json().sca_session_token });
      assert.equal(res.statusCode, 200, res.body);
      const again = await createCard(app, org.owner.auth, body, key);
      assert.equal(again.body, res.body);
    });

    test('deny: the replay is refused with 403 sca_denied and nothing is written', async () => {
      const body = newCardBody(org, 'virtual', { nickname: 'sca-denied' });
      const token = (await createCard(app, org.owner.auth, body)).json().sca_session_token;
      assert.equal((await decide(token, 'deny')).statusCode, 200);
      assert.deepEqual((await poll(token)).json(), { result: 'deny', canceled_at: '' });
      const res = await createCard(app, org.owner.auth, body, randomUUID(), { 'x-qonto-sca-session-token': token });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().errors[0].code, 'sca_denied');
      assert.equal((await decide(token, 'allow')).statusCode, 422);
      assert.equal((await db.selectFrom('cards').select('id').where('nickname', '=', 'sca-denied').execute()).length, 0);
    });

    test('a token is bound to its request: another body is refused', async () => {
      const token = (await createCard(app, org.owner.auth, newCardBody(org, 'virtual'))).json().sca_session_token;
      await decide(token, 'allow');
      const res = await createCard(app, org.owner.auth, newCardBody(org, 'advertising'), randomUUID(), { 'x-qonto-sca-session-token': token });
      assert.equal(res.statusCode, 422);
      assert.equal(res.json().errors[0].code, 'sca_session_mismatch');
    });

    test('a token expires after 15 minutes', async () => {
      const body = newCardBody(org, 'virtual');
      const token = (await createCard(app, org.owner.auth, body)).json().sca_session_token;
      await decide(token, 'allow');
      clock.advance(15 * 60_000 + 1000);
      const res = await createCard(app, org.owner.auth, body, randomUUID(), { 'x-qonto-sca-session-token': token });
      assert.equal(res.statusCode, 428);
      assert.equal(res.json().errors[0].code, 'sca_session_invalid');
      assert.notEqual(res.json().sca_session_token, token);
    });

    test('bulk, unlock and limits ask for SCA; lock, nickname and restrictions do not', async () => {
      const card = await makeCardWithSca(app, org, 'virtual');
      const lock = await put(app, org.owner, card.id, 'lock');
      assert.equal(lock.statusCode, 200);
      const unlock = await put(app, org.owner, card.id, 'unlock');
      assert.equal(unlock.statusCode, 428);
      const token = unlock.json().sca_session_token;
      await decide(token, 'allow');
      assert.equal((await put(app, org.owner, card.id, 'unlock', { 'x-qonto-sca-session-token': token })).statusCode, 200);
      assert.equal((await patch(app, org.owner, card.id, 'limits', { payment_monthly_limit: 10 })).statusCode, 428);
      assert.equal((await patch(app, org.owner, card.id, 'nickname', { nickname: 'no sca' })).statusCode, 200);
      assert.equal((await patch(app, org.owner, card.id, 'restrictions', { active_days: [1, 2] })).statusCode, 200);
      const bulk = await app.inject({ method: 'POST', url: '/v2/cards/bulk', headers: { authorization: org.owner.auth }, payload: { cards: [{ card: newCardBody(org, 'virtual') }] } });
      assert.equal(bulk.statusCode, 428);
      assert.deepEqual(await eventsOf(db, card.id), ['created', 'locked', 'unlocked', 'nickname_updated', 'restrictions_updated']);
    });

    test("sessions are private to their organization, and unknown ones are 404", async () => {
      const token = (await createCard(app, org.owner.auth, newCardBody(org, 'virtual'))).json().sca_session_token;
      assert.equal((await poll(token, other.owner.auth)).statusCode, 404);
      assert.equal((await decide(token, 'allow', other.owner.auth)).statusCode, 404);
      assert.equal((await poll('unknown-token')).statusCode, 404);
      assert.equal((await app.inject({ method: 'GET', url: `/v2/sca_sessions/${token}` })).statusCode, 401);
    });

  });
}
