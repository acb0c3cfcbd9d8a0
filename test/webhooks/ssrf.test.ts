import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { after, test } from 'node:test';
import { request } from 'undici';
import { blockedAddressReason, callbackUrlProblem } from '../../src/webhooks/address-policy.ts';
import { createSafeAgent } from '../../src/webhooks/safe-agent.ts';
import { startTestApp } from '../helpers/app.ts';
import { createOrgFixture } from '../helpers/fixtures.ts';
import { startReceiver } from '../helpers/webhooks.ts';

const { app, deps } = await startTestApp({ webhookAllowLoopback: false, webhookAllowList: [] });
const strict = { allowLoopback: false, allowList: [] as string[] };

// Every way we know to spell an internal address in a callback URL.
const BYPASSES = [
  'https://127.0.0.1/', 'https://127.1/', 'https://0177.0.0.1/', 'https://0x7f000001/', 'https://2130706433/',
  'https://0x7f.0x0.0x0.0x1/', 'https://017700000001/', 'https://127.000.000.001/', 'https://localhost/',
  'https://LOCALHOST/', 'https://localhost./', 'https://api.localhost/', 'https://0.0.0.0/', 'https://0/',
  'https://[::]/', 'https://[::1]/', 'https://[0:0:0:0:0:0:0:1]/', 'https://[::ffff:127.0.0.1]/',
  'https://[::ffff:7f00:1]/', 'https://[::ffff:10.0.0.1]/', 'https://[::ffff:169.254.169.254]/',
  'https://[::127.0.0.1]/', 'https://[64:ff9b::10.0.0.1]/', 'https://[64:ff9b::a9fe:a9fe]/',
  'https://[2002:7f00:1::]/', 'https://[2002:c0a8:101::1]/', 'https://10.0.0.1/', 'https://10.255.255.255/',
  'https://172.16.0.1/', 'https://172.31.255.254/', 'https://192.168.1.1/', 'https://169.254.169.254/latest/meta-data/',
  'https://169.254.0.1/', 'https://[fd00:ec2::254]/', 'https://[fc00::1]/', 'https://[fe80::1]/', 'https://[fec0::1]/',
  'https://100.64.0.1/', 'https://100.127.255.254/', 'https://224.0.0.1/', 'https://[ff02::1]/', 'https://239.255.255.250/',
  'https://240.0.0.1/', 'https://255.255.255.255/', 'https://198.18.0.1/', 'https://192.0.0.170/', 'https://192.0.2.1/',
  'https://metadata.google.internal/', 'https://router.local/', 'https://user:pass@example.com/',
  'https://example.com@127.0.0.1/', 'https://example.com:443@10.0.0.1/', 'https://[2001:db8::1]/', 'https://[100::1]/',
  'http://example.com/', 'ftp://example.com/', 'file:///etc/passwd', 'gopher://127.0.0.1:6379/_INFO', 'javascript:alert(1)',
];

test(`${BYPASSES.length} spellings of internal or unsafe callback URLs are refused at subscription time with a 400 on /callback_url`, async () => {
  assert.ok(BYPASSES.length >= 30);
  const org = await createOrgFixture(deps.engine.db);
  for (const callback_url of BYPASSES) {
    const res = await app.inject({ method: 'POST', url: '/v2/webhook_subscriptions', headers: { authorization: org.owner.auth }, payload: { callback_url, types: ['v1/cards'] } });
    assert.equal(res.statusCode, 400, callback_url);
    assert.deepEqual(res.json().source, { pointer: '/callback_url' }, callback_url);
    assert.equal(res.json().code, 'invalid_callback_url', callback_url);
  }
});

test('public https URLs are accepted', () => {
  for (const url of ['https://example.com/hook', 'https://8.8.8.8/', 'https://[2606:4700:4700::1111]/', 'https://hooks.example.com:8443/a?b=c']) {
    assert.equal(callbackUrlProblem(url, strict), undefined, url);
  }
});

test('loopback over http is accepted only when the server allows loopback receivers', () => {
  const loopback = { allowLoopback: true, allowList: [] };
  for (const url of ['http://127.0.0.1:3000/hook', 'http://localhost:3000/', 'http://[::1]:8080/']) {
    assert.equal(callbackUrlProblem(url, loopback), undefined, url);
    assert.ok(callbackUrlProblem(url, strict), url);
  }
  assert.ok(callbackUrlProblem('http://10.0.0.1/', loopback));
  assert.ok(callbackUrlProblem('http://example.com/', loopback));
});

test('the allow-list admits named hosts and CIDRs', () => {
  const policy = { allowLoopback: false, allowList: ['10.1.0.0/16', 'hooks.internal', 'fd12::/16'] };
  assert.equal(blockedAddressReason('10.1.2.3', policy), undefined);
  assert.ok(blockedAddressReason('10.2.0.1', policy));
  assert.equal(blockedAddressReason('fd12::1', policy), undefined);
  assert.equal(callbackUrlProblem('https://hooks.internal/x', policy), undefined);
});

const receiver = await startReceiver();
const receiverPort = new URL(receiver.url).port;

function agentResolvingTo(address: string, allowList: string[] = []) {
  const family = address.includes(':') ? 6 : 4;
  const agent = createSafeAgent({
    policy: { allowLoopback: false, allowList },
    connectionsPerOrigin: 1,
    connectTimeoutMs: 1000,
    resolve: (_host, _options, callback) => callback(null, [{ address, family } as LookupAddress]),
  });
  after(() => agent.close());
  return agent;
}

test('at connect time, a name that resolves to a blocked address (DNS rebinding) is refused before any byte is sent', async () => {
  for (const address of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', '::ffff:127.0.0.1', 'fd00:ec2::254']) {
    const agent = agentResolvingTo(address);
    await assert.rejects(
      request(`http://rebind.example.com:${receiverPort}/hook`, { method: 'POST', body: '{}', dispatcher: agent }),
      (error: Error & { cause?: Error }) => /resolves to/.test(error.message + (error.cause?.message ?? '')),
      address,
    );
  }
  assert.equal(receiver.received.length, 0);
});

test('at connect time, IP literals are checked too, and the allow-list lets a private receiver through', async () => {
  const strictAgent = agentResolvingTo('127.0.0.1');
  await assert.rejects(request(receiver.url, { method: 'POST', body: '{}', dispatcher: strictAgent }));
  assert.equal(receiver.received.length, 0);
  const allowed = agentResolvingTo('127.0.0.1', ['127.0.0.1']);
  const res = await request(`http://rebind.example.com:${receiverPort}/hook`, { method: 'POST', body: '{}', dispatcher: allowed });
  await res.body.text();
  assert.equal(res.statusCode, 200);
  assert.equal(receiver.received.length, 1);
});

test('at connect time, a host name on the allow-list may resolve to a private address; another name may not', async () => {
  const agent = agentResolvingTo('127.0.0.1', ['hooks.internal']);
  const res = await request(`http://hooks.internal:${receiverPort}/hook`, { method: 'POST', body: '{}', dispatcher: agent });
  await res.body.text();
  assert.equal(res.statusCode, 200);
  await assert.rejects(request(`http://other.example.com:${receiverPort}/hook`, { method: 'POST', body: '{}', dispatcher: agent }));
});

test('redirects are not followed: a 3xx is a failed attempt', async () => {
  const redirecting = await startReceiver(() => ({ status: 302, headers: { location: 'http://169.254.169.254/' } }));
  const agent = agentResolvingTo('127.0.0.1', ['127.0.0.1']);
  const res = await request(redirecting.url, { method: 'POST', body: '{}', dispatcher: agent });
  await res.body.text();
  assert.equal(res.statusCode, 302);
  assert.equal(redirecting.received.length, 1);
});
