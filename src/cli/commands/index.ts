import { credentialsCommand } from './credentials.ts';
import { migrateCommand } from './migrate.ts';
import { openapiCommand } from './openapi.ts';
import { seedCommand } from './seed.ts';
import { serveCommand } from './serve.ts';
import type { Command } from './types.ts';
import { workerCommand } from './worker.ts';

export const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  migrate: migrateCommand,
  openapi: openapiCommand,
  seed: seedCommand,
  credentials: credentialsCommand,
  worker: workerCommand,
};
