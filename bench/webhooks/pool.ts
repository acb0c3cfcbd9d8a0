// `npm run bench:webhooks:pool -- <log> [<log> …]`: pools the rounds of several saved `npm run bench:webhooks`
// outputs (each invocation's stdout, as `… > file`) into one comparison per configuration. One invocation's
// interval is too narrow: the A/A lines of three 48-round invocations with the same code on one machine came out
// −12%, −3% and +20%, two of them with intervals that excluded zero (BENCHMARKS.md, sixteenth session). Pooling
// invocations run with different BENCH_SEEDs is what puts a figure on the dead subscriber's cost.
//
// It reads each arm's per-run p99s from the lines the benchmark printed ("each run's, … during it: …", in round
// order) and compares them as the benchmark does (./stats.ts, roundRatioChange): the third arm against the
// geometric mean of the round's two runs without, and the A/A check. Only the per-run p99s are printed, so the
// pooled-latency comparison of a single invocation cannot be redone here.
import { readFileSync } from 'node:fs';
import { roundBaseline, roundRatioChange, signedPercent } from './stats.ts';

type Arm = 'without' | 'again' | 'with';

/** Which arm an output line summarises, and in which configuration (the last parenthesis before the colon). */
const ARM_LINES: Array<[Arm, RegExp]> = [
  ['without', /^\| latency \(([^()]+)\):/],
  ['again', /^\| latency, the same again \(([^()]+)\):/],
  ['with', /^\| latency with .+? \(([^()]+)\):/],
];
/** The third arm's name ("a dead subscriber", or the answering one of BENCH_THIRD): outputs pool only with their like. */
const THIRD = /^\| latency with (.+?) \([^()]+\):/;

/** The per-run p99s (ms) of an arm's line: "(each run's, * where a checkpoint started during it: 3.1, 4.2*, …)". */
function runP99s(line: string): number[] {
  const list = /during it: ([^)]*)\)/.exec(line)?.[1];
  if (!list) throw new Error(`no per-run p99s in: ${line.slice(0, 120)}`);
  return list.split(', ').map((p) => Number(p.replace('*', '')));
}

const files = process.argv.slice(2);
if (files.length === 0) throw new Error('usage: npm run bench:webhooks:pool -- <saved output> [<saved output> …]');

/** Per configuration and third arm: each arm's per-run p99s, the outputs' rounds one after the other. */
const pooled = new Map<string, Record<Arm, number[]>>();
for (const file of files) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const third = lines.map((l) => THIRD.exec(l)?.[1]).find((name) => name !== undefined);
  if (!third) throw new Error(`${file}: no "latency with …" line (an unfinished run?)`);
  for (const line of lines) {
    for (const [arm, pattern] of ARM_LINES) {
      const configuration = pattern.exec(line)?.[1];
      if (!configuration) continue;
      const key = `${third}, ${configuration}`;
      const arms = pooled.get(key) ?? pooled.set(key, { without: [], again: [], with: [] }).get(key)!;
      arms[arm].push(...runP99s(line));
    }
  }
}

const report = (label: string, first: number[], second: number[]) => {
  const { change, interval: [low, high], sd } = roundRatioChange(first, second);
  console.log(`| ${label} | ${first.length} rounds | within a round ${signedPercent(change)} (90% interval ${signedPercent(low!)} to ${signedPercent(high!)}); SD of a round's log ratio ${sd.toFixed(2)} |`);
};

for (const [key, arms] of pooled) {
  const rounds = arms.without.length;
  if (arms.again.length !== rounds || arms.with.length !== rounds) {
    throw new Error(`${key}: arms of ${rounds}, ${arms.again.length} and ${arms.with.length} runs; each output must hold all three arms`);
  }
  report(`with ${key} vs without`, roundBaseline(arms.without, arms.again), arms.with);
  report(`A/A check, again vs the first (${key})`, arms.without, arms.again);
}
