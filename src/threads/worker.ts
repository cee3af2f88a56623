/**
 * Entry of one CPU worker thread. It attaches its own Machine to the shared
 * memory, becomes its CPU for good (its own GS base, a pinned per-CPU context),
 * imports the job module and then runs jobs on request: each run waits at the
 * start barrier, runs the job synchronously and reports its result and its
 * duration.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { PerCpuPtr } from '../percpu-ptr.js';
import { attachMachine, bindCpu, revivePtr } from './attach.js';
import { barrier_wait } from './barrier.js';
import { serializeError, type CpuEnv, type CpuJob, type FromWorker, type ToWorker, type WorkerInit } from './protocol.js';

if (parentPort === null) throw new Error('src/threads/worker: this module is a worker entry; start it with startCpuThreads()');
const port: MessagePort = parentPort;
const post = (msg: FromWorker): void => port.postMessage(msg);

async function main(init: WorkerInit): Promise<void> {
  const m = attachMachine(init.machine);
  bindCpu(m, init.cpu);
  const ptrs: Record<string, PerCpuPtr<unknown>> = {};
  for (const d of m.linker.definitions()) ptrs[d.name] = d.ptr;
  for (const [name, d] of Object.entries(init.ptrs)) ptrs[name] = revivePtr(m, d);
  const env: CpuEnv = { cpu: init.cpu, ptrs, shared: init.shared };
  const jobs: Record<string, unknown> = {};
  const from: Record<string, string> = {};
  for (const url of init.jobs) {
    for (const [name, value] of Object.entries((await import(url)) as Record<string, unknown>)) {
      if (typeof value !== 'function') continue;
      if (name in jobs && jobs[name] !== value) throw new Error(`job ${name} is exported by both ${from[name]} and ${url}; job names must be unique`);
      jobs[name] = value;
      from[name] = url;
    }
  }
  const control = new Int32Array(init.control);

  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'exit') {
      port.close();
      return;
    }
    const job = jobs[msg.job];
    // Arrive at the barrier even when the job is missing, or the other CPUs would wait forever.
    barrier_wait(control, msg.parties);
    if (typeof job !== 'function') {
      post({ type: 'failed', seq: msg.seq, error: { name: 'TypeError', message: `job ${JSON.stringify(msg.job)} is not a function exported by ${init.jobs.join(' or ')}` } });
      return;
    }
    try {
      const t0 = process.hrtime.bigint();
      const value = (job as CpuJob)(m, env, msg.args);
      const ns = Number(process.hrtime.bigint() - t0);
      post({ type: 'done', seq: msg.seq, value, ns });
    } catch (e) {
      post({ type: 'failed', seq: msg.seq, error: serializeError(e) });
    }
  });
  post({ type: 'ready', cpu: m.cpu, gs: m.gs });
}

main(workerData as WorkerInit).catch((e: unknown) => post({ type: 'fatal', error: serializeError(e) }));
