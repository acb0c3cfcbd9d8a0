#!/usr/bin/env node
// `npm test`: the whole suite on PGlite and on PostgreSQL, the two engines side by side (this machine has two
// cores). PostgreSQL is QCARDS_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); where it
// cannot be reached the suite says so and runs on PGlite alone. Arguments filter the test files by substring;
// QCARDS_TEST_ENGINE=pglite|postgres picks one engine.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

const DATABASE_URL = process.env.QCARDS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const filters = process.argv.slice(2);

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'helpers' ? [] : findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

async function postgresReachable() {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (error) {
    console.log(`PostgreSQL is not reachable at ${DATABASE_URL} (${error.message}): running on PGlite only.`);
    return false;
  }
}

function run(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const files = findTests('test').filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error(`no test file matches ${filters.join(', ')}`);
  process.exit(1);
}

let engines = process.env.QCARDS_TEST_ENGINE ? [process.env.QCARDS_TEST_ENGINE] : ['pglite', 'postgres'];
if (engines.includes('postgres') && !(await postgresReachable())) {
  if (process.env.QCARDS_TEST_ENGINE === 'postgres') process.exit(1);
  engines = engines.filter((e) => e !== 'postgres');
}

// Build the PGlite template once, before the test processes race to build it.
const template = await run(process.execPath, ['--import', 'tsx', 'scripts/build-test-template.ts'], {});
if (template.code !== 0) {
  console.error(template.output);
  process.exit(1);
}

const started = Date.now();
const results = await Promise.all(
  engines.map(async (engine) => {
    const result = await run(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-timeout=180000', ...files],
      { QCARDS_TEST_ENGINE: engine, QCARDS_TEST_DATABASE_URL: DATABASE_URL, NODE_ENV: 'test' },
    );
    return { engine, ...result };
  }),
);

let passed = 0;
let failed = 0;
for (const { engine, code, output } of results) {
  console.log(`\n======== ${engine} ========\n${output}`);
  const pass = Number(/ℹ pass (\d+)/.exec(output)?.[1] ?? 0);
  const fail = Number(/ℹ fail (\d+)/.exec(output)?.[1] ?? 0);
  passed += pass;
  failed += fail + (code !== 0 && fail === 0 ? 1 : 0);
  console.log(`${engine}: ${pass} passed, ${fail} failed (exit ${code})`);
}
console.log(`\nengines: ${engines.join(', ')}; ${files.length} test files; ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
