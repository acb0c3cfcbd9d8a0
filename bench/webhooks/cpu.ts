import { readdirSync, readFileSync } from 'node:fs';

// CPU time spent during a run, read from /proc (Linux): the whole machine's busy time and PostgreSQL's share of
// it. Far steadier than a tail latency from one run to the next, it tells what one more subscriber costs in work,
// apart from how the machine happened to schedule it. Undefined where /proc is not there.

export interface CpuSnapshot {
  /** Busy seconds of all cores (user, nice, system, irq, softirq, steal). */
  machine: number;
  /** Seconds used by processes named postgres (the server and its backends). */
  postgres: number;
}

const TICK = 100; // USER_HZ on Linux

export function cpuSnapshot(): CpuSnapshot | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields as number[];
    const machine = (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / TICK;
    let postgres = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
        const after = stat.slice(close + 2).split(' ');
        // utime and stime are fields 14 and 15 of the line; `after` starts at field 3.
        postgres += (Number(after[11]) + Number(after[12])) / TICK;
      } catch {
        // The process ended between the listing and the read.
      }
    }
    return { machine, postgres };
  } catch {
    return undefined;
  }
}
