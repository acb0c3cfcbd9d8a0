// The benchmarks' PostgreSQL databases: each benchmark has its own on the server the URL names, created through
// that server's `postgres` database. Never `test`, the test suite's.
import pg from 'pg';

async function onAdmin(url: string, work: (admin: pg.Client, name: string, quoted: string) => Promise<void>): Promise<void> {
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.slice(1));
  if (name === '' || name === 'test' || name === 'postgres') {
    throw new Error(`refusing to benchmark in database "${name}": use a database of its own`);
  }
  parsed.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: parsed.toString() });
  await admin.connect();
  try {
    await work(admin, name, `"${name.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
}

/** Creates the database of `url` when missing, keeping what is in it. */
export async function ensureBenchDatabase(url: string): Promise<void> {
  await onAdmin(url, async (admin, name, quoted) => {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${quoted}`);
  });
}

/**
 * Drops the database of `url` and creates it empty. FORCE: a process left running by an interrupted run would
 * otherwise keep its connections, and the database.
 */
export async function freshBenchDatabase(url: string): Promise<void> {
  await onAdmin(url, async (admin, _name, quoted) => {
    await admin.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${quoted}`);
  });
}
