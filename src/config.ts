// Every setting qcards reads from the environment, parsed once. The rest of the code receives a Config and
// never reads process.env itself, so tests can build any configuration they need.

export interface Config {
  /** PostgreSQL connection string; when absent qcards runs on embedded PGlite. */
  databaseUrl: string | undefined;
  /** Connections of `serve`'s PostgreSQL pool. */
  poolSize: number;
  /** Folder of the embedded database. */
  dataDir: string;
  host: string;
  port: number;
  /** Bearer token of the operator API; the operator API is closed when it is empty. */
  operatorToken: string | undefined;
  /** When set, X-Qonto-Staging-Token must equal it on every Qonto endpoint. */
  stagingToken: string | undefined;
  /** Strong customer authentication on the sensitive card writes. */
  scaEnabled: boolean;
  idempotencyWindowSeconds: number;
  /** Webhook delivery. */
  webhookTimeoutMs: number;
  /** Addresses webhook URLs may reach although private (CIDRs or exact hosts). */
  webhookAllowList: string[];
  /** Loopback callback URLs (http://127.0.0.1:…) are allowed: the embedded default, for local receivers. */
  webhookAllowLoopback: boolean;
  retentionDays: number;
  /** How long a claimed webhook delivery stays reserved for its worker; after that another worker may retry it. */
  webhookLeaseMs: number;
  /** Run the webhook worker inside `serve`. */
  embeddedWorker: boolean;
  logLevel: string;
  /** Base URL printed in help texts and used for data_view links. */
  publicUrl: string | undefined;
  /** How long a successful authentication is remembered per process (src/services/auth-cache.ts); 0 = off. */
  authCacheMs: number;
}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

function int(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a ${min === 0 ? 'non-negative' : 'positive'} integer, got "${value}"`);
  return n;
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || undefined;
  return {
    databaseUrl,
    poolSize: int('QCARDS_POOL_SIZE', env.QCARDS_POOL_SIZE, 20, 1),
    dataDir: env.QCARDS_DATA_DIR || './.qcards',
    host: env.HOST || '127.0.0.1',
    port: int('PORT', env.PORT, 3000),
    operatorToken: env.QCARDS_OPERATOR_TOKEN || undefined,
    stagingToken: env.QCARDS_STAGING_TOKEN || undefined,
    scaEnabled: bool(env.QCARDS_SCA, false),
    idempotencyWindowSeconds: int('QCARDS_IDEMPOTENCY_WINDOW_SECONDS', env.QCARDS_IDEMPOTENCY_WINDOW_SECONDS, 30 * 60),
    webhookTimeoutMs: int('QCARDS_WEBHOOK_TIMEOUT_MS', env.QCARDS_WEBHOOK_TIMEOUT_MS, 1000),
    webhookAllowList: list(env.QCARDS_WEBHOOK_ALLOW),
    // Receivers of integrators run on their own machine, so the embedded default allows loopback;
    // a PostgreSQL deployment is a shared server and does not, unless told to.
    webhookAllowLoopback: bool(env.QCARDS_WEBHOOK_ALLOW_LOOPBACK, databaseUrl === undefined),
    retentionDays: int('QCARDS_RETENTION_DAYS', env.QCARDS_RETENTION_DAYS, 30),
    webhookLeaseMs: int('QCARDS_WEBHOOK_LEASE_MS', env.QCARDS_WEBHOOK_LEASE_MS, 60_000),
    embeddedWorker: bool(env.QCARDS_EMBEDDED_WORKER, true),
    logLevel: env.LOG_LEVEL || 'info',
    publicUrl: env.QCARDS_PUBLIC_URL || undefined,
    // Every change to credentials, memberships or organizations clears it in every process (src/services/auth-cache.ts).
    authCacheMs: int('QCARDS_AUTH_CACHE_MS', env.QCARDS_AUTH_CACHE_MS, 5000),
  };
}
