import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp } from '../helpers/app.ts';

const { app } = await startTestApp();

test('/docs serves the API reference page and its assets load', async () => {
  const page = await app.inject({ method: 'GET', url: '/docs' });
  assert.equal(page.statusCode, 200);
  assert.match(String(page.headers['content-type']), /text\/html/);
  const assets = [...page.body.matchAll(/(?:src|href)="(?:\.\/|\/docs\/)(static\/[^"]+)"/g)].map((m) => m[1]!);
  assert.ok(assets.some((a) => a.endsWith('swagger-ui-bundle.js')));
  for (const asset of assets) {
    const res = await app.inject({ method: 'GET', url: `/docs/${asset}` });
    assert.equal(res.statusCode, 200, asset);
    assert.ok(res.body.length > 0, asset);
  }
  const spec = await app.inject({ method: 'GET', url: '/docs/json' });
  assert.equal(spec.statusCode, 200);
  assert.equal(spec.json().openapi, '3.1.0');
});

test('every supporting and operator route is documented with a tag, a summary and a success schema', async () => {
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const expected: Array<[string, string, string, string]> = [
    ['/v2/memberships', 'get', 'memberships', '200'],
    ['/v2/membership', 'get', 'memberships', '200'],
    ['/v2/organization', 'get', 'organization', '200'],
    ['/qcards/operator/v1/organizations', 'post', 'operator', '201'],
    ['/qcards/operator/v1/organizations', 'get', 'operator', '200'],
    ['/qcards/operator/v1/organizations/{organization_id}', 'get', 'operator', '200'],
    ['/qcards/operator/v1/organizations/{organization_id}', 'delete', 'operator', '204'],
    ['/qcards/operator/v1/organizations/{organization_id}/teams', 'post', 'operator', '201'],
    ['/qcards/operator/v1/organizations/{organization_id}/memberships', 'post', 'operator', '201'],
    ['/qcards/operator/v1/organizations/{organization_id}/bank_accounts', 'post', 'operator', '201'],
    ['/qcards/operator/v1/memberships/{membership_id}/credentials', 'post', 'operator', '201'],
    ['/qcards/operator/v1/credentials/{credential_id}', 'delete', 'operator', '204'],
  ];
  for (const [path, method, tag, status] of expected) {
    const op = doc.paths[path]?.[method];
    assert.ok(op, `${method} ${path}`);
    assert.deepEqual(op.tags, [tag], path);
    assert.equal(typeof op.summary, 'string', path);
    assert.ok(op.responses[status], `${method} ${path} ${status}`);
    assert.ok(op.security?.length > 0, path);
  }
});
