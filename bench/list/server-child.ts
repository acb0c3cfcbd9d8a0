import { loadConfig } from '../../src/config.ts';
import { openEngine } from '../../src/db/engine.ts';
import { OffsetClock } from '../../src/domain/clock.ts';
import { buildApp } from '../../src/http/app.ts';

// The server under test: the real app, as `qcards serve` builds it, in a process of its own so the parent can
// read its peak RSS. Logger off (request logging is a deployment choice, not part of the endpoint's cost).
// The database is already migrated by the parent. Reports its port over IPC.

const config = { ...loadConfig(), logLevel: 'silent', port: 0 };
const engine = await openEngine({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.poolSize });
const app = await buildApp({ engine, config, clock: new OffsetClock(), logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.send!({ port: typeof address === 'object' && address ? address.port : 0 });
process.on('message', async (message) => {
  if (message === 'stop') {
    await app.close();
    await engine.close();
    process.exit(0);
  }
});

// Never outlive the benchmark (a parent killed mid-run leaves no server behind).
process.on('disconnect', () => process.exit(0));
