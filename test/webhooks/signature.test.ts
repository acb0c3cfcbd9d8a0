import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deliveryHeaders, qontoSignature, standardWebhookSignature } from '../../src/webhooks/sign.ts';
import { verifyQontoSignature } from '../../src/webhooks/verify.js';

const VECTOR = 't=1704110400,v1=56aff06dc227db80d6568a5070f912c601c31f20451745d257cbc0b5dfa93805';
const AT = 1704110400;

test("the signature reproduces Qonto's published test vector", () => {
  assert.equal(qontoSignature('test-secret', AT, '{"test":"data"}'), VECTOR);
});

test("the receiver helper accepts Qonto's vector within the tolerance", () => {
  assert.equal(verifyQontoSignature('{"test":"data"}', VECTOR, 'test-secret', 300, AT), true);
  assert.equal(verifyQontoSignature(Buffer.from('{"test":"data"}'), VECTOR, 'test-secret', 300, new Date((AT + 299) * 1000)), true);
});

test('the receiver helper refuses a timestamp older or newer than the tolerance', () => {
  assert.equal(verifyQontoSignature('{"test":"data"}', VECTOR, 'test-secret', 300, AT + 301), false);
  assert.equal(verifyQontoSignature('{"test":"data"}', VECTOR, 'test-secret', 300, AT - 301), false);
  assert.equal(verifyQontoSignature('{"test":"data"}', VECTOR, 'test-secret', undefined, new Date()), false);
});

test('the receiver helper refuses a changed body, a wrong secret and malformed headers', () => {
  assert.equal(verifyQontoSignature('{"test": "data"}', VECTOR, 'test-secret', 300, AT), false);
  assert.equal(verifyQontoSignature('{"test":"data"}', VECTOR, 'other-secret', 300, AT), false);
  for (const header of [undefined, null, '', 't=1704110400', 'v1=56aff06d', 't=abc,v1=' + 'a'.repeat(64),
    't=1704110400,v1=zz', 't=1704110400,v1=' + '0'.repeat(64), VECTOR.replace('t=1704110400', 't=1704110401'),
    VECTOR.toUpperCase(), 'x'.repeat(5000)]) {
    assert.equal(verifyQontoSignature('{"test":"data"}', header, 'test-secret', 300, AT), false, String(header));
  }
});

test('the receiver helper accepts any matching v1 among several (secret rotation)', () => {
  const header = `t=${AT},v1=${'0'.repeat(64)},v1=${VECTOR.split('v1=')[1]}`;
  assert.equal(verifyQontoSignature('{"test":"data"}', header, 'test-secret', 300, AT), true);
});

test('deliveries carry Qonto, Standard Webhooks, content type and user agent headers that verify', () => {
  const body = '{"id":"e1"}';
  const h = deliveryHeaders('whsec_abcdefghijklmnopqrstuvwxyz0123456789', 'e1', AT, body);
  assert.equal(h['content-type'], 'application/json');
  assert.match(h['user-agent']!, /^qcards-webhooks\//);
  assert.equal(h['webhook-id'], 'e1');
  assert.equal(h['webhook-timestamp'], String(AT));
  assert.equal(h['webhook-signature'], standardWebhookSignature('whsec_abcdefghijklmnopqrstuvwxyz0123456789', 'e1', AT, body));
  assert.match(h['webhook-signature']!, /^v1,[A-Za-z0-9+/]+=*$/);
  assert.equal(verifyQontoSignature(body, h['x-qonto-signature'], 'whsec_abcdefghijklmnopqrstuvwxyz0123456789', 300, AT), true);
});
