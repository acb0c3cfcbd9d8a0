import { createServer } from 'node:http';
import pg from 'pg';

// The two ceilings, as bare node:http servers with nothing of qcards in them:
//  (a) each request runs ONE SQL statement that returns the page text already assembled by PostgreSQL from
//      the stored api_json (page 1, default sort `status, id`, no count), over the same driver (pg) and pool
//      size as qcards;
//  (b) the same page text, fetched once at start, served from memory.
// argv: databaseUrl organizationId

const [databaseUrl, organizationId] = process.argv.slice(2) as [string, string];
const pool = new pg.Pool({ connectionString: databaseUrl, max: 20 });

const PAGE_SQL = `
  SELECT '{"cards":[' || coalesce(string_agg(api_json, ',' ORDER BY status, id), '') || '],"meta":{"current_page":1,"next_page":2,"prev_page":null,"total_pages":null,"total_count":null,"per_page":' || $2 || '}}' AS body
  FROM (SELECT status, id, api_json FROM cards WHERE organization_id = $1 ORDER BY status, id LIMIT $2) AS page`;

const pageText = async (perPage: number): Promise<string> =>
  (await pool.query<{ body: string }>({ name: 'ceiling_page', text: PAGE_SQL, values: [organizationId, perPage] })).rows[0]!.body;

const perPageOf = (url: string | undefined): number => Number(/per_page=(\d+)/.exec(url ?? '')?.[1] ?? 100);

const sqlServer = createServer((req, res) => {
  pageText(perPageOf(req.url)).then(
    (body) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    },
    (error: Error) => {
      res.writeHead(500).end(error.message);
    },
  );
});

const cached = new Map<number, Buffer>();
for (const perPage of [100, 25]) cached.set(perPage, Buffer.from(await pageText(perPage)));
const memoryServer = createServer((req, res) => {
  const body = cached.get(perPageOf(req.url)) ?? cached.get(100)!;
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
});

const listen = (server: ReturnType<typeof createServer>) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
process.send!({ sqlPort: await listen(sqlServer), memoryPort: await listen(memoryServer) });
process.on('message', (message) => {
  if (message === 'stop') {
    sqlServer.close();
    memoryServer.close();
    void pool.end().then(() => process.exit(0));
  }
});

// Never outlive the benchmark (a parent killed mid-run leaves no server behind).
process.on('disconnect', () => process.exit(0));
