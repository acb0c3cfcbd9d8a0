import { sql } from 'kysely';
import type { App, AppDeps } from '../app.ts';

export function registerHealthRoutes(app: App, deps: AppDeps): void {
  // Liveness: the process answers. Readiness: it can also reach its database.
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await sql`SELECT 1`.execute(deps.engine.db);
      return { status: 'ready', engine: deps.engine.kind };
    } catch {
      return reply.status(503).send({ status: 'unavailable', engine: deps.engine.kind });
    }
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
