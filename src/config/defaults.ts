/**
 * Every default of the cluster file in one place; `config.json` only needs to say what differs.
 * Environment overrides (applied after the file): ECOM_STATE_DIR, ECOM_GATEWAY_PORT, ECOM_ISCS_PORT, ECOM_REDIS_PORT.
 */
export const CLUSTER_DEFAULTS = {
  /** Relative paths are resolved against the cluster file's folder. */
  stateDir: '.ecom',
  /** Address every process binds and every peer is reached on. */
  host: '127.0.0.1',
  /**
   * A `host` that is not a loopback address (127.0.0.0/8, ::1, localhost) is refused unless this is true: it would
   * put redis-server, the registry and every service within reach of the network, not only the gateway.
   */
  exposeNonLoopback: false,
  gateway: {
    port: 8080,
    /**
     * ewma (peak-EWMA of response times; without nginx's Lua module nginx balances by least_conn), least_conn,
     * round_robin or ip_hash. ewma is the default: with one instance slowed, bench/gateway-no-reload.mjs measured a
     * lower p99 than least_conn under the same load.
     */
    balance: 'ewma',
    /** Microcache of anonymous product GETs (bypassed when Authorization is sent). */
    cache: { enabled: true, ttl: '1s' },
    /** nginx worker processes. */
    workers: 1,
    /** nginx's share of the cores when all are busy (systemd's CPUWeight scale, as CPU_WEIGHTS): every request passes it. */
    cpuWeight: 305,
    /** Login attempts allowed per client address (nginx limit_req rate and burst); beyond: 429. */
    loginRate: '20r/s',
    loginBurst: 40,
    /**
     * How registry changes reach nginx: `lua` pushes peers to its Lua balancer (no reload), `reload` renders
     * nginx.conf and reloads, `auto` uses Lua when nginx's Lua module is installed.
     */
    endpoints: 'auto',
    /** The gateway's admin port on 127.0.0.1 (Lua mode): 0 picks a free one when the gateway starts. */
    adminPort: 0,
  },
  iscs: { port: 5100, heartbeatMs: 1000, ttlMs: 3000 },
  /** How the proxy sync batches registry changes before one reload (like consul-template's wait). */
  proxySync: { minWaitMs: 50, maxWaitMs: 500 },
  redis: { port: 6390 },
  /** Per-instance HTTP limits and timeouts shared by all services. */
  http: {
    /** Largest accepted request body; larger is 413. */
    bodyLimitBytes: 64 * 1024,
    /** Timeout of one call between services (user lookup, stock reservation). */
    peerTimeoutMs: 2000,
    /** How long SIGTERM waits for in-flight requests before closing sockets. */
    shutdownGraceMs: 5000,
    /** After deregistering on SIGTERM, keep serving until no request came for 250 ms (at most this long). */
    drainMs: 2000,
  },
  cache: {
    /** Redis command timeout: slower than this and the service answers from SQLite. */
    commandTimeoutMs: 150,
    /** Time to live of cached product, product list and user profile entries. */
    ttl: '30s',
  },
  logs: {
    /** Least level a service ships to the logger service (debug, info, warn, error). */
    level: 'info',
    /** Entries kept in memory while the logger is slow or away; the oldest are dropped past this. */
    bufferEntries: 5000,
    /** How often buffered entries are shipped. */
    flushMs: 250,
    /** Rows the logger keeps; older ones are pruned. */
    retainRows: 1_000_000,
  },
  /** Where instances run: `process` (local process groups) or `docker` (containers on a Docker engine). */
  runtime: 'process',
  /** The docker runtime (`runtime: docker`). */
  docker: {
    /** The engine's socket; unset: `DOCKER_HOST`, else /var/run/docker.sock. */
    socket: undefined as string | undefined,
    /** The cluster network's subnet (CIDR); unset: the engine picks one from its address pools. */
    subnet: undefined as string | undefined,
  },
  services: {
    product: {
      instances: [
        { id: 1, port: 5001 },
        { id: 2, port: 5002 },
      ],
    },
    user: { instances: [{ id: 3, port: 5003 }] },
    logger: { instances: [{ id: 4, port: 5004 }] },
    order: { instances: [{ id: 5, port: 5005 }] },
  },
  /**
   * A supervised Prometheus server (Debian's `prometheus`) scraping every instance found through the registry's
   * HTTP service discovery; off unless enabled. Its samples live in `<stateDir>/prometheus/data` for `retention`.
   */
  prometheus: { enabled: false, port: 9190, scrapeInterval: '1s', retention: '2h' },
} as const;

/** The four service kinds, in the order the supervisor starts them. */
export const SERVICE_KINDS = ['logger', 'user', 'product', 'order'] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/**
 * Default CPU weight of each kind's instances (`services.<kind>.cpuWeight`; systemd's CPUWeight scale: 100 is an
 * ordinary process's share, 1–10000), applied as a nice value (each step ×1.25) or as a container's CpuShares. When
 * every core is busy the kernel shares them by weight; at equal weights the order service, which does the most work
 * per checkout (0.47 ms of CPU against 0.13 ms for a product instance), waits the longest for a core at each hop of
 * the order and holds up every checkout. Measured with `ecom overload --scenario mix` at concurrency 32 on 2 cores
 * (6 runs each, interleaved): checkout p50 14 ms and mix p99 28 ms at equal weights; 10 ms and 19 ms with order at
 * 930 (nice -10) and product at 305 (nice -5); then nginx at 305 too (`gateway.cpuWeight`): mix p99 27 → 19 ms.
 */
export const CPU_WEIGHTS: Record<ServiceKind, number> = { logger: 100, user: 100, product: 305, order: 930 };

/** Timings of the supervisor (`ecom up`, the daemon, `ecom down`); not part of the cluster file. */
export const SUPERVISOR_TIMINGS = {
  /** How long one process may take to become healthy, registered and routed before start-up fails. */
  startTimeoutMs: 20_000,
  /** How often every running process is health-checked. */
  healthIntervalMs: 1000,
  /** How soon a failed health check is repeated (a hung process is replaced after `healthFailures` of them). */
  healthRetryMs: 500,
  /** Failed health checks in a row before the process is killed (SIGKILL, no grace) and started again. */
  healthFailures: 3,
  /** How often start-up re-checks health, registration and routing while waiting. */
  readyPollMs: 20,
  /** How often start-up probes a process that will say when it serves (the process runtime's services and registry) before it has said so. */
  readyFallbackPollMs: 250,
  /** How long `ecom up -d` waits for the daemon to report the cluster running. */
  daemonStartTimeoutMs: 120_000,
  /** How often `ecom up -d` tries the daemon's control socket until the daemon listens (then one connection follows the start). */
  daemonPollMs: 20,
  /** Grace period before SIGKILL for redis-server and the registry. */
  coreStopTimeoutMs: 5000,
  /** Grace period before SIGKILL for nginx (a graceful SIGQUIT lets open requests finish). */
  nginxStopTimeoutMs: 12_000,
  /** Added to a service's shutdown grace and drain time to get its grace period before SIGKILL. */
  serviceStopSlackMs: 2000,
  /** `ecom down`'s default grace period before SIGKILL, per process found by pid file. */
  downTimeoutMs: 10_000,
  /** How long `ecom down` waits for the daemon to exit after it answered, before sweeping pid files. */
  daemonExitWaitMs: 2000,
  /** How long standalone nginx (`ecom nginx start`) may take to write its pid file. */
  nginxStartTimeoutMs: 10_000,
} as const;

/** Supervisor timings, so tests and callers can pass their own. */
export type SupervisorTimings = { [K in keyof typeof SUPERVISOR_TIMINGS]: number };

/**
 * When the load generator itself is the bottleneck (`ecom overload`/`chaos`): its main thread busy this share of one
 * core, or its event loop this late at the 99th percentile while it is busy. Latencies measured then include time
 * spent inside ecom.
 */
export const GENERATOR_SATURATION = {
  cpuPercent: 90,
  eventLoopLagP99Ms: 20,
  /** The lag counts only while the generator itself is this busy (else other processes took the CPU). */
  busyCpuPercent: 50,
} as const;

/** Accounts the checkout and mix scenarios sign in (`--users`, default), shared by all virtual users, this many at once. */
export const LOAD_USERS = {
  count: 10,
  signInParallel: 4,
} as const;

/**
 * Environment of the cluster's own node processes (the daemon, the registry and every service instance). No V8 flag
 * by default (ECOM_NODE_OPTIONS adds some after the environment's own NODE_OPTIONS): any V8 flag makes node compile
 * every built-in module it loads instead of taking it from its embedded code cache. With `--max-semi-space-size=8`
 * a product instance of the binary spent 160–170 ms of CPU from exec to healthy, 140–150 ms without (code cache
 * warm, load 6), and held the same RSS when idle (95–97 MB): the young generation only grows under load. It then
 * grows to V8's default 2 × 16 MB, which a busy process keeps; capping it trades CPU for that memory (the order
 * service under checkout at concurrency 32 spent 762 ms in 198 scavenges per 4,000 orders at 2 × 2 MB, 200 ms in 49
 * at 2 × 8 MB). The glibc malloc settings apply unless the environment sets them: without them an instance kept
 * 40–65 MB more (one arena per threadpool thread, and after the first free of a large block — a 16 MB scrypt buffer —
 * malloc keeps blocks that size instead of returning them).
 */
export const CHILD_ENV = {
  NODE_OPTIONS: '',
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
} as const;

/**
 * Worker threads of `ecom overload` when `--workers` is not given (choose-worker-count.ts): against a target on this
 * machine half the cores (the other half serve the target; so 1 on up to 3 cores), elsewhere all cores but one; never
 * more than `max`, never fewer than 1. `--workers` allows up to `limit`.
 */
export const LOAD_WORKERS = {
  max: 4,
  limit: 64,
} as const;

/** Timings inside a service instance. */
export const INSTANCE_TIMINGS = {
  /** After it serves, an instance that calls peers on requests (order) loads its peer client: its first request no longer waits 60-100 ms for undici, and a cluster's start storm is over by then. */
  peerWarmDelayMs: 1000,
} as const;
