import type { PoolClient } from 'pg';
import type { Engine } from './engine.ts';
import { loggableError } from './loggable-error.ts';

export interface ListenHandlers {
  /** A notification arrived on the channel. */
  notify(): void;
  /** LISTEN is in place: from now on every notification reaches `notify`. */
  up?(): void;
  /** The listening connection was lost: notifications may be missed until `up` is called again. */
  down?(): void;
}

interface Logger {
  warn(obj: object, msg: string): void;
}

/**
 * LISTEN on `channel` for as long as the returned function is not called. On PostgreSQL on a dedicated pool
 * connection, re-opened `retryMs` after it fails or drops; on PGlite, whose one session serves the whole
 * process, through its own listener (which cannot drop). `channel` is one of qcards' constant channel names.
 */
export async function listen(engine: Engine, channel: string, handlers: ListenHandlers, options: { retryMs: number; log: Logger }): Promise<() => Promise<void>> {
  const { pgPool: pool, pglite } = engine;
  if (pglite) {
    const unlisten = await pglite.listen(channel, () => handlers.notify());
    handlers.up?.();
    return async () => {
      handlers.down?.();
      await unlisten().catch(() => {});
    };
  }
  if (!pool) return async () => {};
  /** Gives the current listening connection back, if it holds one. */
  let closeCurrent: (() => void) | undefined;
  let stopped = false;
  const connect = async () => {
    if (stopped) return;
    let c: PoolClient | undefined;
    let released = false;
    // Destroyed, not returned to the pool: that ends its LISTEN. At most once, whoever gets here first.
    const close = () => {
      if (closeCurrent === close) closeCurrent = undefined;
      if (c && !released) {
        released = true;
        c.release(true);
      }
    };
    closeCurrent = close;
    let lost = false;
    // Once per connection, whether the LISTEN failed or a working connection dropped later.
    const lose = (error: unknown) => {
      if (lost) return;
      lost = true;
      close();
      if (stopped) return;
      options.log.warn({ err: loggableError(error) }, `LISTEN ${channel} lost: trying again in ${options.retryMs} ms`);
      handlers.down?.();
      setTimeout(() => void connect(), options.retryMs).unref();
    };
    try {
      c = await pool.connect();
      c.on('notification', (message) => {
        if (message.channel === channel) handlers.notify();
      });
      c.on('error', lose);
      if (stopped) return close();
      await c.query(`LISTEN ${channel}`);
      if (lost) return;
      if (stopped) return close();
      handlers.up?.();
    } catch (error) {
      lose(error);
    }
  };
  await connect();
  return async () => {
    stopped = true;
    handlers.down?.();
    closeCurrent?.();
  };
}
