import type { ParseArgsConfig } from 'node:util';

export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Returns an exit code to exit with, or nothing to let a server keep running. */
  run(options: Record<string, unknown>, positionals: string[]): Promise<number | void>;
}
