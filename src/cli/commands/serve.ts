import { loadConfig } from '../../config.ts';
import { openEngine } from '../../db/engine.ts';
import { migrate } from '../../db/migrate.ts';
import { OffsetClock } from '../../domain/clock.ts';
import { buildApp } from '../../http/app.ts';
import { prepareDemo } from '../demo-mode.ts';
import { startLifecycleJobs } from '../../jobs/lifecycle-scheduler.ts';
import { startEmbeddedWorker } from '../embedded-worker.ts';
import { wakeupsSent } from '../../webhooks/wake.ts';
import type { Command } from './types.ts';

export const serveCommand: Command = {
  summary: 'start the API server (migrates first)',
  usage: [
    'usage: qcards serve [--demo]',
    '',
    'Serves on HOST:PORT (default 127.0.0.1:3000) against DATABASE_URL, or the embedded database in',
    'QCARDS_DATA_DIR (default ./.qcards). --demo seeds a demo organization into an empty database and prints',
    'ready-to-paste curl commands.',
  ].join('\n'),
  options: { demo: { type: 'boolean' } },
  async run(options) {
    let config = loadConfig();
    const engine = await openEngine({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.poolSize });
    await migrate(engine.db);
    const clock = new OffsetClock();
    const demo = options.demo ? await prepareDemo(engine, config, clock) : undefined;
    if (demo) config = demo.config;
    const app = await buildApp({ engine, config, clock });
    startLifecycleJobs(app, engine.db, clock);
    await startEmbeddedWorker(app, { engine, config, clock });
    const shutdown = async (signal: string) => {
      app.log.info({ signal }, 'shutting down: finishing in-flight requests');
      try {
        await app.close();
      } finally {
        await wakeupsSent(engine.db);
        await engine.close();
        process.exit(0);
      }
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
    const address = await app.listen({ host: config.host, port: config.port });
    console.log(`qcards is listening on ${address} (${engine.kind})`);
    if (demo) console.log(demo.banner(config.publicUrl ?? address));
  },
};
