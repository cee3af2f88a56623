/**
 * Side-by-side timing of loop variants in one process.
 *
 * Every variant is a separate function literal with its own hot loop (so
 * V8's feedback for one loop never sees another variant's calls) that returns
 * a result computed from all its work; the harness checks that result against
 * the expected one, so a benchmark that the JIT emptied — or that computes
 * the wrong thing — fails instead of reporting a fast time. Rounds interleave
 * the variants (rotating which goes first), after a warm-up that is not
 * recorded, and each variant keeps one ns/op sample per round.
 *
 * The warm-up first calls every variant many times on very short loops, then
 * runs full-length rounds. The short calls matter: a function entered only a
 * few times with a long loop inside is optimised while parts of it (the code
 * after the loop, the op it calls) have no type feedback yet, and V8 may keep
 * that code for every later round. Measured on the generated-op loop: with no
 * short calls, or with 50 calls of 50 000 iterations, it ran at 1.7 or 3.0
 * ns/op from one process to the next; after 2000 calls of 100 iterations it
 * ran at 1.7 every time.
 */
import { measurement, type Measurement } from './report.js';

export interface Variant {
  readonly name: string;
  /** Runs the loop `n` times and returns a value that depends on every iteration. */
  readonly run: (n: number) => unknown;
  /** What run(n) must return. */
  readonly expect: (n: number) => unknown;
}

export interface CompareOptions {
  readonly n: number;
  readonly rounds: number;
  readonly warmup: number;
}

/**
 * The short warm-up calls for a loop measured at length n: up to 2000 calls
 * of up to 100 iterations, but never more than 2n iterations in all (so an
 * expensive loop body, like an allocation, keeps its warm-up short).
 */
export function warmPlan(n: number): { calls: number; short: number } {
  const short = Math.max(1, Math.min(100, Math.floor(n / 100)));
  return { calls: Math.min(2000, Math.max(10, Math.floor((2 * n) / short))), short };
}

export class BenchCheckError extends Error {
  override name = 'BenchCheckError';
}

function check(v: Variant, n: number, got: unknown): void {
  const want = v.expect(n);
  if (!Object.is(got, want)) {
    throw new BenchCheckError(`${v.name}: loop of ${n} returned ${String(got)}, expected ${String(want)}; the benchmark does not do the work it claims`);
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Sleeps briefly so that optimised code V8 is compiling on its background
 * threads (slow to arrive when the machine is busy) is installed before the
 * recorded rounds start.
 */
export function settleJit(ms = 100): void {
  Atomics.wait(pause, 0, 0, ms);
}

/** Times a run in nanoseconds. */
export function timeNs(fn: () => unknown): { ns: number; value: unknown } {
  const t0 = process.hrtime.bigint();
  const value = fn();
  return { ns: Number(process.hrtime.bigint() - t0), value };
}

/** Measures every variant, interleaved, and returns one Measurement (ns/op per round) per variant name. */
export function compare(variants: readonly Variant[], o: CompareOptions): Record<string, Measurement> {
  const k = variants.length;
  if (o.warmup > 0) {
    const { calls, short } = warmPlan(o.n);
    for (let c = 0; c < calls; c++) for (const v of variants) check(v, short, v.run(short));
    settleJit();
  }
  for (let w = 0; w < o.warmup; w++) {
    for (const v of variants) check(v, o.n, v.run(o.n));
  }
  const samples = variants.map(() => [] as number[]);
  for (let r = 0; r < o.rounds; r++) {
    for (let j = 0; j < k; j++) {
      const i = (r + j) % k;
      const v = variants[i];
      const { ns, value } = timeNs(() => v.run(o.n));
      check(v, o.n, value);
      samples[i].push(ns / o.n);
    }
  }
  const out: Record<string, Measurement> = {};
  variants.forEach((v, i) => {
    out[v.name] = measurement(v.name, samples[i]);
  });
  return out;
}
