import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Child processes of the benchmark: the server under test, the ceiling servers and the load generator each
// run in their own process (their own event loop and their own RSS).

export interface Child<M> {
  process: ChildProcess;
  /** The first message the child sends (its ports, or its result). */
  ready: Promise<M>;
  stop(): Promise<void>;
}

export function startChild<M>(file: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env, nodeArgs: string[] = []): Child<M> {
  const child = fork(fileURLToPath(new URL(file, import.meta.url)), args, {
    execArgv: [...nodeArgs, '--import', 'tsx'],
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<M>((resolve, reject) => {
    child.once('message', (m) => resolve(m as M));
    child.once('exit', (code) => reject(new Error(`${file} exited with code ${code} before reporting`)));
  });
  return {
    process: child,
    ready,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send('stop');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Peak resident set size of a live process, in MB (VmHWM from /proc). */
export function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}
