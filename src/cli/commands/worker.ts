import pino from 'pino';
import { loadConfig } from '../../config.ts';
import { openEngine } from '../../db/engine.ts';
import { migrate } from '../../db/migrate.ts';
import { systemClock } from '../../domain/clock.ts';
import { WebhookWorker } from '../../webhooks/worker.ts';
import type { Command } from './types.ts';

export const workerCommand: Command = {
  summary: 'deliver webhooks without serving the API (any number of workers may share one PostgreSQL)',
  usage: [
    'usage: qcards worker',
    '',
    'Claims due webhook deliveries from DATABASE_URL (or the embedded database) and POSTs them, until SIGTERM or',
    'SIGINT, after which in-flight deliveries finish and are recorded. Several workers share the work: each',
    'claims rows with FOR UPDATE SKIP LOCKED, and a killed worker\'s rows are taken again when their lease',
    '(QCARDS_WEBHOOK_LEASE_MS, 60 s) runs out.',
  ].join('\n'),
  options: {},
  async run() {
    const config = loadConfig();
    const logger = pino({ level: config.logLevel });
    const engine = await openEngine({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 4 });
    await migrate(engine.db);
    const worker = new WebhookWorker({ engine, config, clock: systemClock }, { logger });
    const shutdown = async (signal: string) => {
      logger.info({ signal }, 'webhook worker stopping: finishing in-flight deliveries');
      try {
        await worker.stop();
      } finally {
        await engine.close();
        process.exit(0);
      }
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
    await worker.start();
    logger.info({ engine: engine.kind }, 'webhook worker started');
    console.log(`qcards worker is delivering webhooks (${engine.kind})`);
  },
};
