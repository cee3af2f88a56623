/**
 * Side-by-side timing of loop variants in one process.
 *
 * Every variant is a separate function literal with its own hot loop (so
 * V8's feedback for one loop never sees another variant's calls) that returns
 * a result computed from all its work; the harness checks that result against
 * the expected one, so a benchmark that the JIT emptied — or that computes
 * the wrong thing — fails instead of reporting a fast time. Rounds interleave
 * the variants (rotating which goes first), after warm-up rounds that are not
 * recorded, and each variant keeps one ns/op sample per round.
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

export class BenchCheckError extends Error {
  override name = 'BenchCheckError';
}

function check(v: Variant, n: number, got: unknown): void {
  const want = v.expect(n);
  if (!Object.is(got, want)) {
    throw new BenchCheckError(`${v.name}: loop of ${n} returned ${String(got)}, expected ${String(want)}; the benchmark does not do the work it claims`);
  }
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
