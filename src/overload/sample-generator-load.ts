import { GENERATOR_SATURATION } from '../config/defaults.js';

/** How busy the load generator itself was: its CPU (share of one core) and how late its event loop ran. */
export interface GeneratorLoad {
  readonly cpuPercent: number;
  readonly eventLoopLagMs: Readonly<{ p50: number; p99: number; max: number }>;
  /** The generator, not the target, limited the run: its latencies include time spent inside ecom. */
  readonly saturated: boolean;
}

/** Samples the generator's own load from now on. */
export interface GeneratorSampler {
  /** Since the sampler started (the run so far, or the whole run once it ended). */
  total(): GeneratorLoad;
  /** Since the previous call of `lastInterval` (the last second, for live output). */
  lastInterval(): GeneratorLoad;
  /** Adds an event-loop lag sample measured elsewhere (a load worker thread's, see `watchEventLoopLag`). */
  recordLag(ms: number): void;
  stop(): void;
}

/** How the sampler reads a multi-threaded generator: CPU is the whole process's, over `threads` busy threads. */
export interface SamplerOptions {
  now?: () => number;
  /** Threads sending load: saturation compares the CPU per thread (the process's ÷ threads) with the thresholds. */
  threads?: number;
  /** Whether this thread's own event-loop lag counts (false when worker threads send the load and report theirs). */
  ownLag?: boolean;
}

/** What every output says when the generator was the bottleneck. */
export const SATURATED_WARNING =
  'GENERATOR SATURATED: ecom itself, not the target, was the bottleneck; latencies include time spent inside ecom (use fewer connections, a lower --rate, or run ecom on another machine)';

const round1 = (n: number): number => Math.round(n * 10) / 10;
/** The lag timer's period: the lag is how much later than this it fires. */
const RESOLUTION_MS = 10;

/** Whether these figures mean the generator, not the target, limited the run (thresholds in config/defaults.ts). */
export function isSaturated(cpuPercent: number, lagP99Ms: number): boolean {
  // A late event loop in a process that is mostly idle means other processes took the CPU: the machine, not ecom.
  const late = lagP99Ms >= GENERATOR_SATURATION.eventLoopLagP99Ms && cpuPercent >= GENERATOR_SATURATION.busyCpuPercent;
  return cpuPercent >= GENERATOR_SATURATION.cpuPercent || late;
}

/** Lag samples in 0.1 ms buckets up to 2 s (the last bucket holds everything longer); percentiles read by a scan. */
function lagHistogram(): { record(ms: number): void; read(): { p50: number; p99: number; max: number }; reset(): void } {
  const buckets = new Uint32Array(20_001);
  let count = 0;
  let max = 0;
  const at = (share: number): number => {
    const rank = Math.ceil(share * count);
    let seen = 0;
    for (let i = 0; i < buckets.length; i++) {
      seen += buckets[i]!;
      if (seen >= rank) return i / 10;
    }
    return max;
  };
  return {
    record(ms) {
      buckets[Math.min(buckets.length - 1, Math.round(ms * 10))]!++;
      count++;
      max = Math.max(max, ms);
    },
    read: () => (count === 0 ? { p50: 0, p99: 0, max: 0 } : { p50: at(0.5), p99: at(0.99), max: round1(max) }),
    reset() {
      buckets.fill(0);
      count = 0;
      max = 0;
    },
  };
}

/**
 * Calls `onLag` with this thread's event-loop lag every RESOLUTION_MS: how much later than asked a timer fires
 * (perf_hooks' own monitor under-reports one long block). Returns the stop function.
 */
export function watchEventLoopLag(onLag: (ms: number) => void, now: () => number = () => performance.now()): () => void {
  let last = now();
  const timer = setInterval(() => {
    const at = now();
    onLag(Math.max(0, at - last - RESOLUTION_MS));
    last = at;
  }, RESOLUTION_MS).unref();
  return () => clearInterval(timer);
}

/**
 * Event-loop lag (watchEventLoopLag: this thread's, or the samples worker threads report) and CPU from
 * `process.cpuUsage` (every thread of the process) over wall time. Cheap: no per-request work.
 */
export function sampleGeneratorLoad(options: SamplerOptions = {}): GeneratorSampler {
  const { now = () => performance.now(), threads = 1, ownLag = true } = options;
  const whole = lagHistogram();
  const recent = lagHistogram();
  const recordLag = (lag: number): void => {
    whole.record(lag);
    recent.record(lag);
  };
  const stopLag = ownLag ? watchEventLoopLag(recordLag, now) : () => undefined;
  const startCpu = process.cpuUsage();
  const startAt = now();
  let intervalCpu = startCpu;
  let intervalAt = startAt;
  const read = (h: ReturnType<typeof lagHistogram>, cpu: NodeJS.CpuUsage, at: number): GeneratorLoad => {
    const used = process.cpuUsage(cpu);
    const wallMs = Math.max(1, now() - at);
    const cpuPercent = round1(((used.user + used.system) / 1000 / wallMs) * 100);
    const eventLoopLagMs = Object.freeze(h.read());
    return Object.freeze({ cpuPercent, eventLoopLagMs, saturated: isSaturated(cpuPercent / threads, eventLoopLagMs.p99) });
  };
  return {
    total: () => read(whole, startCpu, startAt),
    lastInterval() {
      const load = read(recent, intervalCpu, intervalAt);
      recent.reset();
      intervalCpu = process.cpuUsage();
      intervalAt = now();
      return load;
    },
    recordLag,
    stop: stopLag,
  };
}
