import { loadConfig } from '../../config.ts';
import { openEngine } from '../../db/engine.ts';
import { migrate } from '../../db/migrate.ts';
import type { Command } from './types.ts';

export const migrateCommand: Command = {
  summary: 'apply the database migrations (DATABASE_URL, or the embedded database in QCARDS_DATA_DIR)',
  usage: 'usage: qcards migrate\n\nApplies pending migrations; safe to run from several processes at once.',
  options: {},
  async run() {
    const config = loadConfig();
    const engine = await openEngine({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const applied = await migrate(engine.db);
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'the database is up to date');
    } finally {
      await engine.close();
    }
    return 0;
  },
};
