/**
 * The real-threads machine: one worker_thread per CPU of a shared-memory
 * Machine. Each worker attaches its own Machine to the same SharedArrayBuffer,
 * loads its own CPU's GS base, and runs jobs (named exports of a module) that
 * call the generated per-CPU ops exactly as single-threaded code does. The main
 * thread keeps its own Machine over the same memory, so per_cpu()/per_cpu_sum()
 * there read every CPU's copy — the "only lock when we aggregate" half of the
 * per-CPU idea.
 *
 *   const m = createSharedMachine({ cpus: 2 });
 *   const hits = DEFINE_PER_CPU(m, 'u64', 'hits');
 *   m.boot();
 *   await using cpus = await startCpuThreads(m, { jobs: new URL('./my-jobs.js', import.meta.url) });
 *   await cpus.run('count', { n: 1000 });   // my-jobs exports count(m, env, args)
 *   per_cpu_sum(m, hits);                   // 2000n
 */
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { MachineStateError } from '../errors.js';
import type { Machine } from '../machine.js';
import type { PerCpuPtr } from '../percpu-ptr.js';
import { describeSharedMachine, describePtr, type PtrDescriptor } from './attach.js';
import { BARRIER_BYTES } from './barrier.js';
import { MODULE_EXT, workerBootstrapSource } from './bootstrap.js';
import type { FromWorker, SerializedError, ToWorker, WorkerInit } from './protocol.js';

/** Options of startCpuThreads(). */
export interface StartCpuThreadsOptions {
  /** The module(s) whose exported functions are the jobs: file: URLs or paths. */
  jobs: URL | string | readonly (URL | string)[];
  /** CPUs to start a thread for (default: every online CPU). */
  cpus?: readonly number[];
  /** Dynamic per-CPU pointers (alloc_percpu) to hand to every job by name; statics are always there. */
  ptrs?: Readonly<Record<string, PerCpuPtr<unknown>>>;
  /** Shared buffers (counters, locks) every job can see. */
  shared?: Readonly<Record<string, SharedArrayBuffer>>;
}

/** One CPU's result of a run. */
export interface CpuRunResult<R> {
  readonly cpu: number;
  readonly value: R;
  /** Nanoseconds the job took on that CPU, from the common start. */
  readonly ns: number;
}

/** Options of one run of a job on the CPU threads. */
export interface RunOptions {
  /** The CPUs that take part (default: every thread). They start together. */
  cpus?: readonly number[];
}

/** Error raised in a CPU thread, rethrown in the main thread with the CPU named. */
export class CpuThreadError extends Error {
  override name = 'CpuThreadError';
  constructor(readonly cpu: number, readonly remote: SerializedError) {
    super(`cpu ${cpu} thread: ${remote.name}: ${remote.message}`);
  }
}

interface Pending {
  resolve(r: { value: unknown; ns: number }): void;
  reject(e: Error): void;
}

class CpuThread {
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;
  readonly ready: Promise<number>;
  readonly exited: Promise<void>;
  /** Told when the thread dies or cannot start: the other threads may be waiting for it at a barrier. */
  onDeath: (e: Error) => void = () => undefined;

  constructor(readonly cpu: number, readonly worker: Worker) {
    this.exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    this.ready = new Promise<number>((resolve, reject) => {
      worker.on('message', (msg: FromWorker) => {
        switch (msg.type) {
          case 'ready': resolve(msg.gs); break;
          case 'fatal': this.fail(new CpuThreadError(cpu, msg.error), reject); break;
          case 'done': this.settle(msg.seq)?.resolve({ value: msg.value, ns: msg.ns }); break;
          case 'failed': this.settle(msg.seq)?.reject(new CpuThreadError(cpu, msg.error)); break;
        }
      });
      worker.on('error', (e) => this.fail(new CpuThreadError(cpu, { name: e.name, message: e.message, stack: e.stack }), reject));
      worker.on('exit', (code) => this.fail(new MachineStateError(`cpu ${cpu} thread exited (code ${code})`), reject));
    });
    // A thread that fails before anyone awaits `ready` must not be an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  private settle(seq: number): Pending | undefined {
    const p = this.pending.get(seq);
    this.pending.delete(seq);
    return p;
  }

  private fail(e: Error, rejectReady: (e: Error) => void): void {
    const first = this.failure === null;
    if (first) this.failure = e;
    rejectReady(e);
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    if (first) this.onDeath(e);
  }

  send(msg: ToWorker & { type: 'run' }): Promise<{ value: unknown; ns: number }> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(msg.seq, { resolve, reject });
      this.worker.postMessage(msg);
    });
  }
}

/** Running CPU threads of one shared-memory machine. */
export class CpuThreads {
  private seq = 0;
  private closed = false;
  private busy = false;
  private failure: Error | null = null;

  /** @internal use startCpuThreads() */
  constructor(private readonly m: Machine, private readonly threads: ReadonlyMap<number, CpuThread>) {
    for (const t of threads.values()) t.onDeath = (e) => this.abort(e);
  }

  /**
   * A thread died: the others may wait at the barrier for it forever, so they
   * are stopped too, which fails their pending runs; the pool is closed.
   */
  private abort(cause: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.failure = cause;
    for (const t of this.threads.values()) void t.worker.terminate();
  }

  /** The CPUs that have a thread, ascending. */
  get cpus(): number[] {
    return [...this.threads.keys()];
  }

  /**
   * Runs job `job` on the given CPUs (default all) at once: every thread waits
   * at a barrier, then calls `job(m, env, args)` on its own CPU. Resolves to
   * each CPU's result in CPU order. Runs do not overlap.
   */
  async run<R = unknown>(job: string, args?: unknown, options: RunOptions = {}): Promise<CpuRunResult<R>[]> {
    if (this.failure !== null) throw new MachineStateError(`CpuThreads.run: the threads were stopped because a CPU thread died (${this.failure.message})`);
    if (this.closed) throw new MachineStateError('CpuThreads.run: the threads have been closed');
    if (this.busy) throw new MachineStateError('CpuThreads.run: a run is in progress; await it before starting another');
    const cpus = options.cpus ?? this.cpus;
    if (cpus.length === 0) throw new RangeError('CpuThreads.run: no CPUs given');
    const chosen: CpuThread[] = [];
    for (const cpu of cpus) {
      const t = this.threads.get(cpu);
      if (t === undefined) throw new RangeError(`CpuThreads.run: cpu ${String(cpu)} has no thread (threads run on cpus ${this.cpus.join(',')})`);
      if (chosen.includes(t)) throw new RangeError(`CpuThreads.run: cpu ${cpu} is listed twice`);
      chosen.push(t);
    }
    const seq = ++this.seq;
    this.busy = true;
    try {
      const msg = { type: 'run' as const, seq, job, args, parties: chosen.length };
      // Every thread finishes (or the pool is aborted) before the run settles, so runs never overlap.
      const results = await Promise.allSettled(chosen.map((t) => t.send(msg)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      return results.map((r, i) => {
        const { value, ns } = (r as PromiseFulfilledResult<{ value: unknown; ns: number }>).value;
        return { cpu: chosen[i].cpu, value: value as R, ns };
      });
    } finally {
      this.busy = false;
    }
  }

  /** Stops every thread. */
  async close(): Promise<void> {
    if (this.closed) {
      await Promise.all([...this.threads.values()].map((t) => t.exited));
      return;
    }
    this.closed = true;
    await Promise.all([...this.threads.values()].map(async (t) => {
      t.worker.postMessage({ type: 'exit' } satisfies ToWorker);
      // A thread inside an endless job never reads the message: stop it after a grace period.
      const timer = setTimeout(() => void t.worker.terminate(), 2000);
      await t.exited;
      clearTimeout(timer);
    }));
  }

  /** Stops every CPU thread (`await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function jobsUrl(jobs: URL | string): string {
  if (jobs instanceof URL) return jobs.href;
  if (typeof jobs === 'string') return jobs.startsWith('file:') ? jobs : pathToFileURL(jobs).href;
  throw new TypeError(`startCpuThreads: jobs must be a file: URL or a path to the job module, got ${typeof jobs}`);
}

/**
 * Starts one worker thread per CPU (default: every online CPU) on the booted
 * shared-memory machine `m`, and resolves once every thread has attached and
 * loaded the job module.
 */
export async function startCpuThreads(m: Machine, options: StartCpuThreadsOptions): Promise<CpuThreads> {
  const machine = describeSharedMachine(m);
  const cpus = options.cpus ?? m.online.toArray();
  if (cpus.length === 0) throw new RangeError('startCpuThreads: no CPUs given');
  const seen = new Set<number>();
  for (const cpu of cpus) {
    m.checkCpu(cpu, 'startCpuThreads');
    if (!m.online.test(cpu)) throw new MachineStateError(`startCpuThreads: cpu ${cpu} is offline`);
    if (seen.has(cpu)) throw new RangeError(`startCpuThreads: cpu ${cpu} is listed twice`);
    seen.add(cpu);
  }
  const jobs = (Array.isArray(options.jobs) ? options.jobs as readonly (URL | string)[] : [options.jobs as URL | string]).map(jobsUrl);
  if (jobs.length === 0) throw new RangeError('startCpuThreads: no job module given');
  const ptrs: Record<string, PtrDescriptor> = {};
  for (const [name, p] of Object.entries(options.ptrs ?? {})) ptrs[name] = describePtr(p);
  const control = new SharedArrayBuffer(BARRIER_BYTES);
  const source = workerBootstrapSource(new URL(`./worker${MODULE_EXT}`, import.meta.url));
  const threads = new Map<number, CpuThread>();
  for (const cpu of [...cpus].sort((a, b) => a - b)) {
    const workerData: WorkerInit = { machine, cpu, jobs, ptrs, shared: options.shared ?? {}, control };
    threads.set(cpu, new CpuThread(cpu, new Worker(source, { eval: true, workerData })));
  }
  const pool = new CpuThreads(m, threads);
  try {
    await Promise.all([...threads.values()].map((t) => t.ready));
  } catch (e) {
    await Promise.all([...threads.values()].map((t) => t.worker.terminate()));
    throw e;
  }
  return pool;
}
