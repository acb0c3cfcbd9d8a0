#!/usr/bin/env node
// The package's `qcards` command. The sources are TypeScript run through tsx, so there is no build step
// between a clone and a running server.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
