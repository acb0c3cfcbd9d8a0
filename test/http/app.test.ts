import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp } from '../helpers/app.ts';
import { TEST_ENGINE } from '../helpers/engine.ts';

const { app } = await startTestApp();

test('liveness and readiness answer, readiness naming the engine', async () => {
  const live = await app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(live.statusCode, 200);
  const ready = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(ready.statusCode, 200);
  assert.deepEqual(ready.json(), { status: 'ready', engine: TEST_ENGINE });
});

test('an unknown route is a 404 in Qonto format whose trace_id matches the trace header', async () => {
  const res = await app.inject({ method: 'GET', url: '/v2/nothing-here' });
  assert.equal(res.statusCode, 404);
  const body = res.json();
  assert.equal(body.errors[0].code, 'not_found');
  assert.match(body.trace_id, /^[0-9a-f]{32}$/);
  assert.equal(res.headers['x-tyk-trace-id'], body.trace_id);
  assert.equal(res.headers['x-request-id'], body.trace_id);
});

test('every response carries a distinct request id', async () => {
  const a = await app.inject({ method: 'GET', url: '/healthz' });
  const b = await app.inject({ method: 'GET', url: '/healthz' });
  assert.notEqual(a.headers['x-request-id'], b.headers['x-request-id']);
});

test('the OpenAPI document is served as OpenAPI 3.1', async () => {
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().openapi, '3.1.0');
});
