import { parseArgs } from 'node:util';
import { COMMANDS } from './commands/index.ts';

// `qcards <command> [options]`. Each command lives in its own file under commands/.

const [name, ...rest] = process.argv.slice(2);
const command = name ? COMMANDS[name] : undefined;
if (!command) {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  console.log('usage: qcards <command> [options]\n');
  for (const [key, c] of Object.entries(COMMANDS)) console.log(`  ${key.padEnd(width)}  ${c.summary}`);
  console.log('\nqcards <command> --help describes a command.');
  process.exit(name && name !== '--help' && name !== 'help' ? 2 : 0);
}
let parsed;
try {
  parsed = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean' } }, allowPositionals: true, strict: true });
} catch (error) {
  console.error(`qcards ${name}: ${(error as Error).message}\n\n${command.usage}`);
  process.exit(2);
}
if (parsed.values.help) {
  console.log(command.usage);
  process.exit(0);
}
try {
  const code = await command.run(parsed.values as Record<string, unknown>, parsed.positionals);
  if (typeof code === 'number') process.exit(code);
} catch (error) {
  console.error(`qcards ${name}: ${(error as Error).message}`);
  process.exit(1);
}
