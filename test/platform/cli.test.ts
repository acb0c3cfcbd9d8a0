import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, mock, test } from 'node:test';
import { parseArgs, promisify } from 'node:util';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { loadConfig } from '../../src/config.ts';
import { describeDemo } from '../../src/cli/commands/seed.ts';
import type { DemoSeedResult } from '../../src/services/demo-seed.ts';
import { openTestEngine, TEST_ENGINE } from '../helpers/engine.ts';

// The CLI as a user runs it: child processes of bin/qcards.js on a temporary data folder (PGlite) or a fresh
// database (PostgreSQL). PGlite's initdb makes the first start slow (seconds), so the whole file shares one
// database: serve --demo on it empty, then seed, credentials, and a second start.

const run = promisify(execFile);
const BIN = join(process.cwd(), 'bin', 'qcards.js');
const dataDir = mkdtempSync(join(tmpdir(), 'qcards-cli-'));
const pg = TEST_ENGINE === 'postgres' ? await openTestEngine() : undefined;
if (pg) await pg.engine.close(); // the children connect on their own
after(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await pg?.close();
});

const ENV = {
  ...process.env,
  QCARDS_DATA_DIR: dataDir,
  DATABASE_URL: pg?.databaseUrl ?? '',
  QCARDS_OPERATOR_TOKEN: '',
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
};

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: ENV });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

interface Server {
  url: string;
  output(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

async function serveDemo(): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'serve', '--demo'], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (match && output.includes('/docs')) {
        clearInterval(timer);
        resolve(match[1]!);
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`serve exited with ${code}: ${output}`));
    });
  });
  assert.equal((await fetch(`${url}/readyz`)).status, 200);
  return {
    url,
    output: () => output,
    stop: (signal) => {
      child.kill(signal);
      return exited;
    },
  };
}

const get = (url: string, authorization: string) => fetch(url, { headers: { authorization } });

let firstApiKey = '';

test('serve --demo on an empty database seeds the demo organization, prints curl commands, and exits 0 on SIGTERM', async () => {
  const server = await serveDemo();
  const out = server.output();
  assert.match(out, /Seeded the demo organization/);
  assert.match(out, /curl -s '.*\/v2\/cards\?per_page=5' -H 'Authorization: Bearer qat_/);
  assert.match(out, /curl -s '.*\/v2\/cards\/[0-9a-f-]{36}'/);
  assert.match(out, /curl -s '.*\/v2\/memberships' -H 'Authorization: [a-z0-9-]+:[0-9a-f]{32}'/);
  const ownerToken = /owner access token:\s+(\S+)/.exec(out)![1]!;
  firstApiKey = /owner API key:\s+(\S+)/.exec(out)![1]!;
  const operatorToken = /Authorization: Bearer (qop_\S+)'/.exec(out)![1]!;

  const me = await get(`${server.url}/v2/membership`, `Bearer ${ownerToken}`);
  assert.equal(me.status, 200);
  assert.equal((await me.json()).membership.role, 'owner');
  const orgs = await get(`${server.url}/qcards/operator/v1/organizations`, `Bearer ${operatorToken}`);
  assert.equal(orgs.status, 200);
  assert.equal((await orgs.json()).meta.total_count, 1);
  assert.equal(readFileSync(join(dataDir, 'operator-token'), 'utf8').trim(), operatorToken);
  assert.equal(existsSync(join(dataDir, 'demo-credentials.json')), TEST_ENGINE === 'pglite');

  assert.equal(await server.stop('SIGTERM'), 0);
});

let seeded: Record<string, unknown> = {};

test('qcards seed --json prints exactly the documented object', async () => {
  const { code, stdout } = await cli('seed', '--json');
  assert.equal(code, 0);
  seeded = JSON.parse(stdout);
  assert.deepEqual(Object.keys(seeded), ['organization_id', 'api_key', 'access_token', 'employee_access_token', 'employee_membership_id', 'memberships']);
  assert.match(String(seeded.api_key), /^atelier-lumiere-\d{4}-\d{4}:[0-9a-f]{32}$/);
  assert.match(String(seeded.access_token), /^qat_/);
  assert.match(String(seeded.employee_access_token), /^qat_/);
  const memberships = seeded.memberships as Array<Record<string, string>>;
  for (const m of memberships) assert.deepEqual(Object.keys(m), ['id', 'role', 'first_name', 'last_name']);
  assert.deepEqual(new Set(memberships.map((m) => m.role)), new Set(['owner', 'admin', 'manager', 'employee', 'reporting']));
  assert.equal(memberships.find((m) => m.id === seeded.employee_membership_id)!.role, 'employee');
});

let revokedAuth = '';

/** Runs a CLI command in this process (a child process costs seconds of start-up per call on 2 cores). */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [name, ...rest] = args;
  const command = COMMANDS[name!]!;
  const { values, positionals } = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
  const saved = Object.fromEntries(Object.keys(ENV).map((k) => [k, process.env[k]]));
  Object.assign(process.env, ENV);
  const stdout = mock.method(console, 'log', () => {});
  const stderr = mock.method(console, 'error', () => {});
  try {
    const code = (await command.run(values as Record<string, unknown>, positionals)) ?? 0;
    const text = (m: typeof stdout) => m.mock.calls.map((c) => c.arguments.join(' ')).join('\n');
    return { code, stdout: text(stdout), stderr: text(stderr) };
  } finally {
    stdout.mock.restore();
    stderr.mock.restore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('qcards credentials creates and revokes credentials, with clear errors on bad input', async () => {
  const created = await inProcess(['credentials', 'create', '--membership', String(seeded.employee_membership_id), '--kind', 'api_key', '--scopes', 'card.read,membership.read', '--json']);
  assert.equal(created.code, 0, created.stderr);
  const credential = JSON.parse(created.stdout);
  assert.deepEqual(credential.scopes, ['card.read', 'membership.read']);
  assert.equal(credential.authorization, `${credential.login}:${credential.secret}`);
  revokedAuth = credential.authorization;

  const revoked = await inProcess(['credentials', 'revoke', credential.id]);
  assert.equal(revoked.code, 0);
  assert.match(revoked.stdout, /revoked credential/);
  assert.match((await inProcess(['credentials', 'revoke', credential.id])).stdout, /already revoked/);

  const errors: Array<[string[], number, RegExp]> = [
    [['credentials', 'revoke', 'nope'], 2, /not a credential id/],
    [['credentials', 'revoke', '00000000-0000-4000-8000-000000000000'], 1, /no credential/],
    [['credentials', 'create', '--membership', String(seeded.employee_membership_id), '--kind', 'api_key', '--scopes', 'card.read,cards.all'], 2, /unknown scope cards\.all/],
    [['credentials', 'create', '--membership', '00000000-0000-4000-8000-000000000000', '--kind', 'api_key'], 1, /no membership/],
    [['credentials', 'create', '--membership', 'x', '--kind', 'api_key'], 2, /must be a membership id/],
    [['credentials', 'create', '--membership', String(seeded.employee_membership_id), '--kind', 'password'], 2, /--kind must be/],
    [['credentials'], 2, /create or revoke/],
  ];
  for (const [args, code, message] of errors) {
    const res = await inProcess(args);
    assert.equal(res.code, code, args.join(' '));
    assert.match(res.stderr, message, args.join(' '));
  }
});

test('a second serve --demo start shows the kept credentials (embedded) or where to get them (PostgreSQL)', async () => {
  const server = await serveDemo();
  const out = server.output();
  assert.doesNotMatch(out, /Seeded the demo organization/);
  if (TEST_ENGINE === 'pglite') assert.ok(out.includes(firstApiKey), out);
  else {
    assert.ok(!out.includes(firstApiKey));
    assert.match(out, /qcards credentials create --membership/);
  }
  assert.equal((await get(`${server.url}/v2/memberships`, String(seeded.api_key))).status, 200);
  assert.equal((await get(`${server.url}/v2/memberships`, firstApiKey)).status, 200);
  assert.equal((await get(`${server.url}/v2/membership`, revokedAuth)).status, 401);
  assert.equal(await server.stop('SIGTERM'), 0);
});

test('qcards seed without --json describes the credentials for a human', () => {
  const text = describeDemo(seeded as unknown as DemoSeedResult);
  assert.match(text, /owner API key\s+Authorization: \S+:\S+/);
  assert.match(text, /employee token\s+Authorization: Bearer qat_/);
  for (const m of seeded.memberships as Array<{ id: string }>) assert.ok(text.includes(m.id));
});

test('QCARDS_POOL_SIZE: 20 by default, a positive integer, anything else an error naming it', () => {
  assert.equal(loadConfig({}).poolSize, 20);
  assert.equal(loadConfig({ QCARDS_POOL_SIZE: '4' }).poolSize, 4);
  for (const bad of ['0', '-1', '2.5', 'four']) assert.throws(() => loadConfig({ QCARDS_POOL_SIZE: bad }), /QCARDS_POOL_SIZE/);
});
