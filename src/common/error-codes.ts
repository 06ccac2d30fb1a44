/** What one error code means to the CLI: the process exit status, and the fix when one fix always applies. */
export interface ErrorCodeSpec {
  /** 1 failure, 2 bad usage, 99 load-test thresholds crossed or chaos invariants broken, 130 interrupted. */
  exit: number;
  /** Shown after the message; when set here it wins over a hint passed at the throw site. */
  hint?: string;
}

const failure = { exit: 1 } as const;
const usage = { exit: 2 } as const;
const START_IT = 'start the cluster with `ecom up -d`';
const KEEP_CREDENTIALS = 'delete it only if no cluster uses this state dir; the next start makes a new one';

const codes = {
  // Bad usage: flags, arguments, cluster file (exit 2).
  invalid_option: usage,
  invalid_threshold: usage,
  invalid_scenario: usage,
  invalid_scale: usage,
  unknown_service: usage,
  invalid_cluster_file: usage,
  cluster_file_missing: { exit: 2, hint: 'pass -c with an existing cluster file' },
  // Outcomes with their own exit status.
  thresholds_crossed: { exit: 99 },
  invariants_broken: { exit: 99, hint: 'the report lists what broke; `--json FILE` keeps every failed request' },
  interrupted: { exit: 130 },
  // The CLI, the daemon and the cluster (exit 1).
  invalid_duration: failure,
  already_running: { exit: 1, hint: 'see `ecom status`, or stop it with `ecom down`' },
  not_running: { exit: 1, hint: 'start one with `ecom up -d`' },
  preflight_failed: failure,
  start_failed: failure,
  doctor_failed: failure,
  cluster_not_running: failure,
  cluster_stopping: failure,
  credentials_unreadable: { exit: 1, hint: KEEP_CREDENTIALS },
  credentials_invalid: { exit: 1, hint: KEEP_CREDENTIALS },
  daemon_unreachable: { exit: 1, hint: START_IT },
  daemon_timeout: failure,
  daemon_hung_up: failure,
  daemon_error: failure,
  bad_request: failure,
  registry_unreachable: { exit: 1, hint: 'start the cluster with `ecom up`, or the registry alone with `ecom iscs`' },
  redis_unreachable: { exit: 1, hint: START_IT },
  gateway_unreachable: { exit: 1, hint: START_IT },
  gateway_config_invalid: { exit: 1, hint: 'fix templates/nginx.conf.hbs or the cluster file' },
  nginx_start_failed: failure,
  nginx_not_running: { exit: 1, hint: 'start it with `ecom up` or `ecom nginx start`' },
  nginx_config_invalid: failure,
  prometheus_unavailable: { exit: 1, hint: 'set prometheus.enabled in the cluster file, start the cluster, and see `ecom status`' },
  seed_failed: failure,
  scenario_setup_failed: failure,
  load_worker_failed: failure,
  no_products: { exit: 1, hint: 'seed it first: `ecom seed --products 100`' },
  target_unreachable: failure,
  // The docker runtime, images, exports and the swarm stack.
  docker_unreachable: failure,
  docker_permission_denied: failure,
  docker_image_missing: { exit: 1, hint: 'build the images with `ecom image build`' },
  docker_build_failed: failure,
  docker_network_left_over: { exit: 1, hint: 'remove what an earlier run left with `ecom down`, then start again' },
  docker_failed: failure,
  swarm_inactive: { exit: 1, hint: 'make this engine a swarm manager: `docker swarm init --advertise-addr <address>`' },
  // The services' HTTP API (`{"error": {code, message}}`); exit 1 should one ever end the CLI.
  validation_failed: failure,
  malformed_json: failure,
  payload_too_large: failure,
  unsupported_encoding: failure,
  route_not_found: failure,
  internal_error: failure,
  database_busy: failure,
  unauthorized: failure,
  forbidden: failure,
  invalid_token: failure,
  token_expired: failure,
  invalid_credentials: failure,
  email_taken: failure,
  unknown_user: failure,
  user_not_found: failure,
  product_not_found: failure,
  order_not_found: failure,
  instance_not_found: failure,
  version_required: failure,
  version_conflict: failure,
  reservation_released: failure,
  insufficient_stock: failure,
  idempotency_key_reused: failure,
  order_in_progress: failure,
  too_many_attempts: failure,
  order_not_saved: failure,
  product_failed: failure,
  logger_unavailable: failure,
  user_unavailable: failure,
  product_unavailable: failure,
  order_unavailable: failure,
  // `ecom import products` (issue 13).
  import_rejected: failure,
  import_in_progress: { exit: 1, hint: 'another import is running on this product instance; wait for it to finish' },
  import_failed: failure,
} as const satisfies Record<string, ErrorCodeSpec>;

/** Every code the program raises; scripts and tests match these exact strings. */
export type ErrorCode = keyof typeof codes;

/** The codes of bad usage (exit 2), the only ones `UsageError` takes. */
export type UsageCode = { [C in ErrorCode]: (typeof codes)[C]['exit'] extends 2 ? C : never }[ErrorCode];

/** The one list of error codes, with each code's exit status and fixed hint. */
export const ERROR_CODES: Readonly<Record<ErrorCode, ErrorCodeSpec>> = codes;

/** True for a string that is one of the known codes (codes arriving over the wire are checked with this). */
export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}
