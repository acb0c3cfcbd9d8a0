import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { TestContext } from '../helpers/app.ts';
import { createOrgFixture } from '../helpers/fixtures.ts';
import { makeCard } from '../helpers/lifecycle.ts';

/** Registers this group's tests on the file's app (see the *.test.ts that imports it). */
export async function dataViewTests(ctx: TestContext): Promise<void> {
  const { app, deps, clock } = ctx;
  void clock;
  const db = deps.engine.db;
  const org = await createOrgFixture(db);
  const other = await createOrgFixture(db);

  const dataView = (id: string, auth: string, lang: string | null = 'fr') =>
    app.inject({ method: 'GET', url: `/v2/cards/${id}/data_view`, headers: { authorization: auth, ...(lang === null ? {} : { 'accept-language': lang }) } });

  const pathOf = (url: string) => new URL(url).pathname;

  describe('data-view', () => {
    before(() => { deps.config.publicUrl = 'https://cards.example.test/'; });
    after(() => { deps.config.publicUrl = undefined; });

    test('data_view gives a single-use link to a page with the PAN, expiry and CVV in the asked language', async () => {
      const card = await makeCard(app, org, 'virtual');
      const res = await dataView(card.id, org.employee.auth, 'fr-FR,fr;q=0.9');
      assert.equal(res.statusCode, 200, res.body);
      const url: string = res.json().iframe_url;
      assert.match(url, /^https:\/\/cards\.example\.test\/qcards\/card-view\/[A-Za-z0-9_-]{40,}$/);
      const row = await db.selectFrom('cards').select(['pan', 'cvv']).where('id', '=', card.id).executeTakeFirstOrThrow();
      assert.ok(!res.body.includes(row.pan));
      // A link previewer's HEAD does not spend the link.
      assert.equal((await app.inject({ method: 'HEAD', url: pathOf(url) })).statusCode, 404);
      const page = await app.inject({ method: 'GET', url: pathOf(url) });
      assert.equal(page.statusCode, 200);
      assert.match(page.headers['content-type'] as string, /text\/html/);
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.ok(page.body.includes(row.pan.replace(/(\d{4})(?=\d)/g, '$1 ')));
      assert.ok(page.body.includes(`>${row.cvv}<`));
      assert.ok(page.body.includes('Numéro de carte'));
      assert.ok(page.body.includes(`${card.exp_month.padStart(2, '0')}/${card.exp_year.slice(-2)}`));
      const again = await app.inject({ method: 'GET', url: pathOf(url) });
      assert.equal(again.statusCode, 410);
      assert.ok(!again.body.includes(row.pan));
    });

    test('a data_view link dies after 5 minutes', async () => {
      const card = await makeCard(app, org, 'virtual');
      const url = (await dataView(card.id, org.owner.auth, 'en')).json().iframe_url;
      clock.advance(5 * 60_000 + 1000);
      assert.equal((await app.inject({ method: 'GET', url: pathOf(url) })).statusCode, 410);
    });

    test('data_view requires one of the six languages: 400 naming Accept-Language', async () => {
      const card = await makeCard(app, org, 'virtual');
      for (const lang of [null, 'nl', '']) {
        const res = await dataView(card.id, org.owner.auth, lang);
        assert.equal(res.statusCode, 400, String(lang));
        assert.deepEqual(res.json().errors[0].source, { parameter: 'Accept-Language' });
      }
      for (const lang of ['en', 'it', 'es', 'de', 'fr', 'pt']) assert.equal((await dataView(card.id, org.owner.auth, lang)).statusCode, 200);
    });

    test('data_view: 401, 403 without card.read, 403 for members who see the card but are not its holder, 404 foreign and unknown', async () => {
      const card = await makeCard(app, org, 'virtual');
      const foreign = await makeCard(app, other, 'virtual');
      assert.equal((await app.inject({ method: 'GET', url: `/v2/cards/${card.id}/data_view`, headers: { 'accept-language': 'en' } })).statusCode, 401);
      assert.equal((await dataView(card.id, await org.token(org.owner, ['card.write']))).statusCode, 403);
      assert.equal((await dataView(card.id, org.manager.auth)).statusCode, 403);
      assert.equal((await dataView(card.id, org.reporting.auth)).statusCode, 403);
      assert.equal((await dataView(card.id, org.outsider.auth)).statusCode, 404);
      assert.equal((await dataView(foreign.id, org.owner.auth)).statusCode, 404);
      assert.equal((await dataView(randomUUID(), org.owner.auth)).statusCode, 404);
    });

    test('no other response carries the PAN or the CVV', async () => {
      const card = await makeCard(app, org, 'standard');
      const row = await db.selectFrom('cards').select(['pan', 'cvv', 'api_json']).where('id', '=', card.id).executeTakeFirstOrThrow();
      assert.ok(!row.api_json.includes(row.pan));
      assert.ok(!/"cvv"/.test(row.api_json));
      const events = await db.selectFrom('card_events').select('data').where('card_id', '=', card.id).execute();
      for (const e of events) assert.ok(!JSON.stringify(e.data).includes(row.pan));
    });

    test('appearances list every level under its card type', async () => {
      const res = await app.inject({ method: 'GET', url: '/v2/cards/appearances', headers: { authorization: org.employee.auth } });
      assert.equal(res.statusCode, 200);
      const types = res.json().card_type_appearances;
      assert.deepEqual(types.map((t: any) => t.card_type), ['debit', 'prepaid']); // eslint-disable-line @typescript-eslint/no-explicit-any
      const levels = types.flatMap((t: any) => t.card_level_appearances.map((l: any) => l.card_level)); // eslint-disable-line @typescript-eslint/no-explicit-any
      assert.deepEqual(levels.sort(), ['advertising', 'flash', 'metal', 'plus', 'standard', 'virtual']);
      const virtual = types[0].card_level_appearances.find((l: any) => l.card_level === 'virtual').appearances[0]; // eslint-disable-line @typescript-eslint/no-explicit-any
      assert.deepEqual(Object.keys(virtual), ['design', 'assets', 'theme', 'gradient_hex_color', 'is_active']);
      assert.equal((await app.inject({ method: 'GET', url: '/v2/cards/appearances' })).statusCode, 401);
      assert.equal((await app.inject({ method: 'GET', url: '/v2/cards/appearances', headers: { authorization: await org.token(org.owner, ['card.write']) } })).statusCode, 403);
    });

  });
}
