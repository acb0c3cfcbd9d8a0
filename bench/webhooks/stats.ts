// The statistics of bench:webhooks' comparisons of arms (without and with a third subscriber; without and without again).

export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
};

export const signedPercent = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(0)}%`;

/** "+12%" or "-3%": `to` against `from`. */
export const change = (to: number, from: number): string => signedPercent(to / from * 100 - 100);

/** A generator of numbers in [0, 1) that gives the same numbers for the same seed (mulberry32). */
export function seededRandom(seed = 0x9e3779b9): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Latencies are counted in bins 1% wide (from 0.01 ms to 10 s): a resampled p99 is then a scan of ~1,400 counts
// instead of a sort of every latency, and 1% is finer than any difference the comparison is asked to judge.
const BIN_BASE = 0.01;
const BIN_GROWTH = Math.log(1.01);
const BINS = Math.ceil(Math.log(10_000 / BIN_BASE) / BIN_GROWTH) + 1;
const binOf = (ms: number) => Math.min(BINS - 1, Math.max(0, Math.floor(Math.log(Math.max(ms, BIN_BASE) / BIN_BASE) / BIN_GROWTH)));
const valueOf = (bin: number) => BIN_BASE * Math.exp((bin + 0.5) * BIN_GROWTH);

function histogram(latencies: number[]): Uint32Array {
  const counts = new Uint32Array(BINS);
  for (const ms of latencies) counts[binOf(ms)]!++;
  return counts;
}

function pooledPercentile(histograms: Uint32Array[], picks: number[], p: number, into: Uint32Array): number {
  into.fill(0);
  let total = 0;
  for (const i of picks) {
    const h = histograms[i]!;
    for (let b = 0; b < BINS; b++) into[b]! += h[b]!;
  }
  for (let b = 0; b < BINS; b++) total += into[b]!;
  const rank = Math.floor((p / 100) * total);
  let seen = 0;
  for (let b = 0; b < BINS; b++) {
    seen += into[b]!;
    if (seen > rank) return valueOf(b);
  }
  return valueOf(BINS - 1);
}

/**
 * How far the noise of the rounds alone could move the change of the pooled p99: the rounds (each side's latencies
 * of that round) are drawn again with replacement, `iterations` times, the change recomputed each time, and
 * the 5th and 95th percentiles of those changes returned (a 90% bootstrap interval, in percent). The generator is
 * seeded, so the same runs give the same interval.
 */
export function bootstrapInterval(first: number[][], second: number[][], p = 99, iterations = 2000): [number, number] {
  const rounds = Math.min(first.length, second.length);
  const [a, b] = [first.map(histogram), second.map(histogram)];
  const scratch = new Uint32Array(BINS);
  const random = seededRandom();
  const changes: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const picks = Array.from({ length: rounds }, () => Math.floor(random() * rounds));
    changes.push(pooledPercentile(b, picks, p, scratch) / pooledPercentile(a, picks, p, scratch) * 100 - 100);
  }
  changes.sort((x, y) => x - y);
  return [percentile(changes, 5), percentile(changes, 95)];
}

/**
 * The typical change from one side's p99 to the other's in the same round: the geometric mean of the rounds' ratios
 * of their p99s (in percent), with its 90% bootstrap interval over resampled rounds. Unlike the pooled p99,
 * which the few runs with a long stall decide, each round weighs the same. `sd`: the standard deviation of the
 * rounds' log ratios, which says how many rounds a tighter interval would take.
 */
export function roundRatioChange(first: number[], second: number[], iterations = 2000): { change: number; interval: [number, number]; sd: number } {
  const logs = first.map((p, i) => Math.log(second[i]! / p));
  const mean = (xs: number[]) => xs.reduce((sum, x) => sum + x, 0) / xs.length;
  const random = seededRandom();
  const changes: number[] = [];
  for (let i = 0; i < iterations; i++) {
    changes.push(Math.exp(mean(logs.map(() => logs[Math.floor(random() * logs.length)]!))) * 100 - 100);
  }
  changes.sort((x, y) => x - y);
  const logMean = mean(logs);
  const sd = Math.sqrt(logs.reduce((sum, x) => sum + (x - logMean) ** 2, 0) / (logs.length - 1));
  return { change: Math.exp(logMean) * 100 - 100, interval: [percentile(changes, 5), percentile(changes, 95)], sd };
}

/** The items in a random order drawn from `random` (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A round's baseline for the third arm: the geometric mean of the p99s of its two runs without (in round order). */
export const roundBaseline = (without: number[], again: number[]): number[] => without.map((p, round) => Math.sqrt(p * again[round]!));
