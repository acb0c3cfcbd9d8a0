/**
 * Polls `check` every `everyMs` until it holds, and throws naming `what` once `ms` have passed: for effects that
 * arrive asynchronously (a notification, a scheduler tick), where a fixed sleep would be either slow or flaky.
 */
export async function eventually(check: () => Promise<boolean> | boolean, what: string, ms = 1000, everyMs = 10): Promise<void> {
  const until = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
