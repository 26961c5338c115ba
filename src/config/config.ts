/**
 * The service's configuration: read from MARIONETTE_* environment variables once, validated (every bad
 * variable reported together), deep-frozen. This folder is the only place that sees process.env.
 */
import path from 'node:path';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Absolute: database, inputs, results, generated secrets. */
  readonly dataDir: string;
  /** Base of result URLs, no trailing slash. */
  readonly publicUrl: string;
  /** Keys accepted in addition to the stored ones. */
  readonly apiKeys: readonly string[];
  /** Hosts exempt from the private-address refusal (URL inputs and webhooks). */
  readonly allowHosts: readonly string[];
  /** Tasks in the engine at once in one worker process (its engine slots). */
  readonly workers: number;
  /** Jobs one worker process holds at once: their inputs are fetched and inspected concurrently, `workers` of them in the engine. */
  readonly claimedJobs: number;
  /** A claimed job waits this long for an engine slot, then is handed back to the queue. */
  readonly engineWaitMs: number;
  /** Pose threads per task. */
  readonly engineThreads: number;
  readonly resultTtlS: number;
  readonly videoUrlTtlS: number;
  /** `whsec_<base64>`; undefined until resolveSecrets() fills it. */
  readonly webhookSecret: string | undefined;
  readonly urlSigningSecret: string | undefined;
  readonly maxAttempts: number;
  readonly leaseS: number;
  readonly fetchConnectTimeoutMs: number;
  readonly fetchTimeoutMs: number;
  readonly fetchMaxRedirects: number;
  readonly bodyLimitMb: number;
  readonly logLevel: LogLevel;
  /** Each engine stage may take this long plus stageDeadlinePerClipSecondMs per second of the clip. */
  readonly stageDeadlineMs: number;
  readonly stageDeadlinePerClipSecondMs: number;
  /** Per API key: requests per minute, and tasks queued or running at once. */
  readonly rateLimitPerMinute: number;
  readonly maxActiveTasksPerKey: number;
  /** Creates decoded and inspected at once (each holds its decoded inputs in memory). */
  readonly maxConcurrentCreates: number;
  /** Ended task rows and delivered webhook rows are deleted after this long. */
  readonly taskRetentionS: number;
  /** A request body must arrive within this long; an idle connection is closed after connectionTimeoutMs. */
  readonly requestTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  /** Backends (docs/SCALE-OUT.md): Postgres for tasks when set, else SQLite in the data dir. */
  readonly databaseUrl: string | undefined;
  /** A BullMQ queue on this Redis when set, else the task store's lease queue. */
  readonly redisUrl: string | undefined;
  readonly redis: RedisQueueConfig;
  /** S3-compatible object storage for inputs and results when set, else the data dir's disk. */
  readonly s3: S3Config | undefined;
  /** Apply pending Postgres migrations at start (else only `marionette migrate` does). */
  readonly autoMigrate: boolean;
  /** On SIGTERM/SIGINT, tasks in the engine get this long to finish before they are aborted and handed back. */
  readonly shutdownGraceMs: number;
  /** Another program speaking the engine child protocol instead of the CPU engine's own child (tests, other engines). */
  readonly engineChild: string | undefined;
}

/** The BullMQ queue's settings (used only with redisUrl). */
export interface RedisQueueConfig {
  /** Prefix of every key, so one Redis can serve several deployments. */
  readonly prefix: string;
  /** Every Redis command fails after this long. */
  readonly commandTimeoutMs: number;
  /** How often workers look for jobs whose lock expired: a dead worker's task is taken over within leaseS + this. */
  readonly stalledIntervalMs: number;
  /** A retried attempt (its engine process died) waits this long, doubling each retry. */
  readonly retryBackoffMs: number;
}

export interface S3Config {
  readonly endpoint: string | undefined;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string | undefined;
  readonly secretAccessKey: string | undefined;
  readonly forcePathStyle: boolean;
  readonly publicEndpoint: string | undefined;
}

/** A config whose secrets are known (after resolveSecrets). */
export type ReadyConfig = Config & { readonly webhookSecret: string; readonly urlSigningSecret: string };

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const PREFIX = 'MARIONETTE_';
export const WEBHOOK_SECRET_PATTERN = /^whsec_([A-Za-z0-9+/]+={0,2})$/;
const MIN_SECRET_BYTES = 16;

type Env = Readonly<Record<string, string | undefined>>;

/** Collects problems instead of throwing at the first one. */
class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const v = this.env[PREFIX + name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  private bad(name: string, value: string, rule: string): void {
    this.problems.push(`${PREFIX}${name}=${JSON.stringify(value)}: ${rule}`);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = /^-?\d+$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.bad(name, v, `must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  list(name: string): string[] {
    const v = this.raw(name);
    return v === undefined ? [] : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  }

  oneOf<T extends string>(name: string, options: readonly T[], fallback: T): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!(options as readonly string[]).includes(v.toLowerCase())) {
      this.bad(name, v, `must be one of: ${options.join(', ')}`);
      return fallback;
    }
    return v.toLowerCase() as T;
  }

  httpUrl(name: string, fallback: string): string {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    let u: URL | undefined;
    try { u = new URL(v); } catch { /* reported below */ }
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash) {
      this.bad(name, v, 'must be an absolute http(s) URL without query or fragment');
      return fallback;
    }
    return v.replace(/\/+$/, '');
  }

  webhookSecret(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    const m = WEBHOOK_SECRET_PATTERN.exec(v);
    if (!m || Buffer.from(m[1], 'base64').length < MIN_SECRET_BYTES) {
      this.bad(name, redact(v), `must be whsec_ followed by base64 of at least ${MIN_SECRET_BYTES} bytes`);
      return undefined;
    }
    return v;
  }

  secret(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    if (v.length < 2 * MIN_SECRET_BYTES) {
      this.bad(name, redact(v), `must be at least ${2 * MIN_SECRET_BYTES} characters`);
      return undefined;
    }
    return v;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (['1', 'true', 'on', 'yes'].includes(v)) return true;
    if (['0', 'false', 'off', 'no'].includes(v)) return false;
    this.bad(name, v, 'must be on or off (1/0, true/false, yes/no)');
    return fallback;
  }

  /** A URL with one of `protocols`; credentials in it are never echoed. */
  serviceUrl(name: string, protocols: readonly string[]): string | undefined {
    const v = this.raw(name);
    if (v === undefined) return undefined;
    let u: URL | undefined;
    try { u = new URL(v); } catch { /* reported below */ }
    if (!u || !protocols.includes(u.protocol)) {
      this.bad(name, u?.password ? v.replace(u.password, '***') : v, `must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL`);
      return undefined;
    }
    return v;
  }

  /** Letters, digits, '-', '_' and '.', as Redis key prefixes are best kept. */
  redisPrefix(name: string, fallback: string): string {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(v)) { this.bad(name, v, 'must be 1 to 64 letters, digits, ".", "_" or "-"'); return fallback; }
    return v;
  }

  s3(): S3Config | undefined {
    const endpoint = this.serviceUrl('S3_ENDPOINT', ['http:', 'https:']);
    const bucket = this.raw('S3_BUCKET');
    const accessKeyId = this.raw('S3_ACCESS_KEY_ID');
    const secretAccessKey = this.raw('S3_SECRET_ACCESS_KEY');
    const publicEndpoint = this.serviceUrl('S3_PUBLIC_ENDPOINT', ['http:', 'https:']);
    const forcePathStyle = this.bool('S3_FORCE_PATH_STYLE', endpoint !== undefined);
    const region = this.raw('S3_REGION') ?? 'us-east-1';
    if (bucket === undefined) {
      const stray = ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_PUBLIC_ENDPOINT'].filter((n) => this.raw(n) !== undefined);
      if (stray.length > 0) this.problems.push(`${stray.map((n) => PREFIX + n).join(', ')} set without ${PREFIX}S3_BUCKET: name the bucket to use S3 storage`);
      return undefined;
    }
    if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
      this.problems.push(`${PREFIX}S3_ACCESS_KEY_ID and ${PREFIX}S3_SECRET_ACCESS_KEY go together (or leave both unset to use the AWS default credential chain)`);
    }
    return { endpoint, bucket, region, accessKeyId, secretAccessKey, forcePathStyle, publicEndpoint };
  }

  apiKeys(name: string): string[] {
    const keys = this.list(name);
    for (const k of keys) {
      if (k.length < 16 || /\s/.test(k)) this.bad(name, redact(k), 'each key must be at least 16 characters without spaces');
    }
    return keys;
  }
}

/** Secrets never appear whole in an error message. */
function redact(v: string): string {
  return v.length <= 8 ? '***' : `${v.slice(0, 4)}…(${v.length} chars)`;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** Reads and validates the MARIONETTE_* variables; throws ConfigError naming every bad one. */
export function loadConfig(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): Config {
  const r = new Reader(env);
  const port = r.int('PORT', 8080, 0, 65535);
  const leaseS = r.int('LEASE_S', 60, 2, 3600);
  const host = r.raw('HOST') ?? '127.0.0.1';
  const workers = r.int('WORKERS', 1, 1, 64);
  const config: Config = {
    port,
    host,
    dataDir: path.resolve(cwd, r.raw('DATA_DIR') ?? './data'),
    publicUrl: r.httpUrl('PUBLIC_URL', `http://localhost:${port}`),
    apiKeys: r.apiKeys('API_KEYS'),
    allowHosts: r.list('ALLOW_HOSTS').map((h) => h.toLowerCase()),
    workers,
    claimedJobs: r.int('CLAIMED_JOBS', workers + 2, workers, 256),
    engineWaitMs: r.int('ENGINE_WAIT_MS', 900_000, 1000, 86_400_000),
    engineThreads: r.int('ENGINE_THREADS', 2, 1, 64),
    resultTtlS: r.int('RESULT_TTL_S', 604800, 60, 10 * 365 * 86400),
    videoUrlTtlS: r.int('VIDEO_URL_TTL_S', 3600, 10, 30 * 86400),
    webhookSecret: r.webhookSecret('WEBHOOK_SECRET'),
    urlSigningSecret: r.secret('URL_SIGNING_SECRET'),
    maxAttempts: r.int('MAX_ATTEMPTS', 3, 1, 100),
    leaseS,
    fetchConnectTimeoutMs: r.int('FETCH_CONNECT_TIMEOUT_MS', 10000, 100, 600000),
    fetchTimeoutMs: r.int('FETCH_TIMEOUT_MS', 60000, 100, 3600000),
    fetchMaxRedirects: r.int('FETCH_MAX_REDIRECTS', 5, 0, 20),
    bodyLimitMb: r.int('BODY_LIMIT_MB', 30, 1, 1024),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    stageDeadlineMs: r.int('STAGE_DEADLINE_MS', 120_000, 100, 86_400_000),
    stageDeadlinePerClipSecondMs: r.int('STAGE_DEADLINE_PER_CLIP_SECOND_MS', 20_000, 0, 3_600_000),
    rateLimitPerMinute: r.int('RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    maxActiveTasksPerKey: r.int('MAX_ACTIVE_TASKS_PER_KEY', 20, 1, 100_000),
    maxConcurrentCreates: r.int('MAX_CONCURRENT_CREATES', 4, 1, 256),
    taskRetentionS: r.int('TASK_RETENTION_S', 30 * 86400, 60, 10 * 365 * 86400),
    requestTimeoutMs: r.int('REQUEST_TIMEOUT_MS', 60_000, 1000, 3_600_000),
    connectionTimeoutMs: r.int('CONNECTION_TIMEOUT_MS', 75_000, 1000, 3_600_000),
    databaseUrl: r.serviceUrl('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: r.serviceUrl('REDIS_URL', ['redis:', 'rediss:']),
    redis: {
      prefix: r.redisPrefix('REDIS_PREFIX', 'marionette'),
      commandTimeoutMs: r.int('REDIS_COMMAND_TIMEOUT_MS', 10_000, 100, 600_000),
      stalledIntervalMs: r.int('REDIS_STALLED_INTERVAL_MS', Math.min(30_000, leaseS * 500), 100, 600_000),
      retryBackoffMs: r.int('REDIS_RETRY_BACKOFF_MS', 1000, 0, 600_000),
    },
    s3: r.s3(),
    autoMigrate: r.bool('AUTO_MIGRATE', true),
    shutdownGraceMs: r.int('SHUTDOWN_GRACE_MS', 20_000, 0, 3_600_000),
    engineChild: r.raw('ENGINE_CHILD') === undefined ? undefined : path.resolve(cwd, r.raw('ENGINE_CHILD')!),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return deepFreeze(config);
}

/** The same config with other values (tests and the secrets step); still frozen. */
export function withConfig<T extends Config>(base: T, changes: Partial<Config>): T {
  return deepFreeze({ ...base, ...changes, apiKeys: [...(changes.apiKeys ?? base.apiKeys)], allowHosts: [...(changes.allowHosts ?? base.allowHosts)] });
}

export function isReady(c: Config): c is ReadyConfig {
  return c.webhookSecret !== undefined && c.urlSigningSecret !== undefined;
}
