/**
 * The real-threads machine: worker threads as CPUs of one SharedArrayBuffer
 * machine, running the generated ops unchanged.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFINE_PER_CPU } from '../src/define.js';
import { L1_CACHE_BYTES, PAGE_SIZE } from '../src/linker.js';
import { Machine } from '../src/machine.js';
import { per_cpu, per_cpu_sum } from '../src/kernel/smp.js';
import { alloc_percpu } from '../src/mm/percpu-alloc.js';
import {
  ATOMIC_COUNT, COUNTER_JOBS, COUNTERS, COUNTERS_BYTES, CpuThreadError, MUTEX_COUNT, MUTEX_WORD, PROBE_JOBS,
  adoptMemory, assertUnitsCachelineSeparated, attachMachine, cachelinesOfCopies, createCounterBuffer, createSharedMachine,
  describeSharedMachine, mutex_lock, mutex_unlock, startCpuThreads, type CpuThreads, type WhoAmI,
} from '../src/threads/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const JOBS = [COUNTER_JOBS, PROBE_JOBS];
const CPUS = 3;

describe('threads machine with 3 CPU threads', () => {
  const m = createSharedMachine({ cpus: CPUS });
  const hits = DEFINE_PER_CPU(m, 'u64', 'hits');
  const marks = DEFINE_PER_CPU(m, 'u32', 'marks');
  m.boot();
  const counters = createCounterBuffer();
  const words = new Int32Array(counters);
  let threads: CpuThreads;

  beforeAll(async () => {
    threads = await startCpuThreads(m, { jobs: JOBS, shared: { [COUNTERS]: counters } });
  });
  afterAll(async () => {
    await threads?.close();
  });

  it('starts one thread per online CPU', () => {
    expect(threads.cpus).toEqual([0, 1, 2]);
  });

  it('each thread sees its own GS base, smp_processor_id() and this_cpu_off', async () => {
    const res = await threads.run<WhoAmI>('whoami');
    expect(res.map((r) => r.cpu)).toEqual([0, 1, 2]);
    for (const { cpu, value } of res) {
      expect(value).toEqual({
        cpu,
        gs: m.perCpuOffset[cpu],
        smpProcessorId: cpu,
        thisCpuOff: BigInt(m.perCpuOffset[cpu]),
        comm: `cpu-worker/${cpu}`,
      });
    }
    expect(new Set(res.map((r) => r.value.gs)).size).toBe(CPUS);
  });

  it('a write through %gs in a thread lands in that CPU\'s copy, read back by per_cpu() in the main thread', async () => {
    const res = await threads.run<number>('mark', { ptr: 'marks', base: 7000 });
    expect(res.map((r) => r.value)).toEqual([7000, 7001, 7002]);
    expect([0, 1, 2].map((cpu) => per_cpu(m, marks, cpu))).toEqual([7000, 7001, 7002]);
  });

  it('per-CPU counter (this_cpu_inc_8): every copy and the sum are exact', async () => {
    await threads.run('percpu_reset', { ptr: 'hits' });
    const res = await threads.run<bigint>('percpu_inc', { n: 20_000, ptr: 'hits' });
    expect(res.map((r) => r.value)).toEqual([20_000n, 20_000n, 20_000n]);
    expect([0, 1, 2].map((cpu) => per_cpu(m, hits, cpu))).toEqual([20_000n, 20_000n, 20_000n]);
    expect(per_cpu_sum(m, hits)).toBe(60_000n);
  });

  it('shared Atomics.add counter is exact', async () => {
    Atomics.store(words, ATOMIC_COUNT, 0);
    const res = await threads.run<number>('atomic_inc', { n: 20_000 });
    expect(Atomics.load(words, ATOMIC_COUNT)).toBe(60_000);
    expect(Math.max(...res.map((r) => r.value))).toBe(60_000);
  });

  it('mutex-protected counter is exact and the mutex ends unlocked', async () => {
    Atomics.store(words, MUTEX_COUNT, 0);
    const res = await threads.run<number>('mutex_inc', { n: 20_000 });
    expect(Atomics.load(words, MUTEX_COUNT)).toBe(60_000);
    expect(Math.max(...res.map((r) => r.value))).toBe(60_000);
    expect(Atomics.load(words, MUTEX_WORD)).toBe(0);
  });

  it('runs on a subset of CPUs: only their copies change', async () => {
    await threads.run('percpu_reset', { ptr: 'hits' });
    const res = await threads.run<bigint>('percpu_inc', { n: 500, ptr: 'hits' }, { cpus: [0, 2] });
    expect(res.map((r) => r.cpu)).toEqual([0, 2]);
    expect([0, 1, 2].map((cpu) => per_cpu(m, hits, cpu))).toEqual([500n, 0n, 500n]);
  });

  it('a CPU thread cannot be migrated: it is a per-CPU thread bound to its CPU', async () => {
    const res = await threads.run<string>('try_migrate', { to: 0 }, { cpus: [1] });
    expect(res[0].value).toBe('migrate to cpu 0 refused: cpu-worker/1/1001 is a per-CPU thread bound to cpu 1; the context must stay on its CPU until that ends');
  });

  it('a job\'s error reaches the main thread naming the CPU; the threads keep working', async () => {
    await expect(threads.run('fail', { message: 'boom' }, { cpus: [2] })).rejects.toThrow(new CpuThreadError(2, { name: 'RangeError', message: 'boom' }).message);
    await expect(threads.run('no_such_job')).rejects.toThrow(/^cpu 0 thread: TypeError: job "no_such_job" is not a function exported by file:/);
    await expect(threads.run('percpu_inc', { n: 1, ptr: 'nope' }, { cpus: [0] })).rejects.toThrow(
      'cpu 0 thread: RangeError: no per-CPU variable named "nope": define it before booting, or pass it in ptrs',
    );
    const res = await threads.run<WhoAmI>('whoami', undefined, { cpus: [1] });
    expect(res[0].value.smpProcessorId).toBe(1);
  });

  it('refuses bad run arguments', async () => {
    await expect(threads.run('whoami', undefined, { cpus: [3] })).rejects.toThrow('CpuThreads.run: cpu 3 has no thread (threads run on cpus 0,1,2)');
    await expect(threads.run('whoami', undefined, { cpus: [1, 1] })).rejects.toThrow('CpuThreads.run: cpu 1 is listed twice');
    await expect(threads.run('whoami', undefined, { cpus: [] })).rejects.toThrow('CpuThreads.run: no CPUs given');
  });
});

describe('a CPU thread that dies', () => {
  it('fails the run naming the CPU, and stops the other threads', async () => {
    const m = createSharedMachine({ cpus: 2 });
    m.boot();
    const threads = await startCpuThreads(m, { jobs: PROBE_JOBS });
    await expect(threads.run('die', { code: 3 }, { cpus: [1] })).rejects.toThrow('cpu 1 thread exited (code 3)');
    await expect(threads.run('whoami')).rejects.toThrow(
      'CpuThreads.run: the threads were stopped because a CPU thread died (cpu 1 thread exited (code 3))',
    );
    await threads.close();
  });
});

describe('per-CPU units and cachelines', () => {
  it('the shared atomic counter and the mutex group each have a cacheline to themselves, inside the buffer, at any 16-byte alignment', () => {
    const line = (byte: number): number => Math.floor(byte / 64);
    for (let a = 0; a < 128; a += 16) {
      const atomic = line(a + ATOMIC_COUNT * 4);
      const mutex = [line(a + MUTEX_WORD * 4), line(a + MUTEX_COUNT * 4 + 3)];
      expect(mutex[0]).toBe(mutex[1]);
      expect(atomic).not.toBe(mutex[0]);
      // Neither line reaches the bytes before or after the buffer.
      for (const l of [atomic, mutex[0]]) expect([l * 64 >= a, l * 64 + 64 <= a + COUNTERS_BYTES]).toEqual([true, true]);
    }
  });

  it('every CPU\'s copy of a variable is on its own cacheline; units are whole pages', () => {
    const m = createSharedMachine({ cpus: 8 });
    const a = DEFINE_PER_CPU(m, 'u64', 'a');
    const b = DEFINE_PER_CPU(m, 'u8', 'b');
    m.boot();
    expect(() => assertUnitsCachelineSeparated(m)).not.toThrow();
    expect(m.layout!.unitSize % PAGE_SIZE).toBe(0);
    for (const p of [a, b, m.cpu_number, m.this_cpu_off]) {
      const lines = cachelinesOfCopies(m, p);
      expect(new Set(lines).size).toBe(8);
    }
    // Nothing of one unit shares a cacheline with the next: the last line of unit c precedes the first of unit c+1.
    for (let cpu = 0; cpu + 1 < 8; cpu++) {
      const lastOfUnit = Math.floor((m.perCpuOffset[cpu] + m.layout!.unitSize - 1) / L1_CACHE_BYTES);
      expect(Math.floor(m.perCpuOffset[cpu + 1] / L1_CACHE_BYTES)).toBe(lastOfUnit + 1);
    }
  });

  it('the check refuses an unbooted machine', () => {
    expect(() => assertUnitsCachelineSeparated(new Machine())).toThrow('assertUnitsCachelineSeparated: the machine has not booted');
  });
});

describe('attaching to shared memory', () => {
  function booted(): Machine {
    const m = createSharedMachine({ cpus: 2 });
    DEFINE_PER_CPU(m, 'u32', 'x', 5);
    DEFINE_PER_CPU(m, 'i64', 'y', -2n);
    m.boot();
    return m;
  }

  it('an attached machine sees the same memory through its own GS base', () => {
    const m = booted();
    const t = attachMachine(describeSharedMachine(m));
    expect(t.booted).toBe(true);
    expect(t.buffer).toBe(m.buffer);
    expect(t.layout).toEqual(m.layout);
    expect(Array.from(t.perCpuOffset)).toEqual(Array.from(m.perCpuOffset));
    const x = t.linker.lookup('x')!.ptr;
    expect(x.off).toBe(m.linker.lookup('x')!.ptr.off);
    expect(x.ops).toBe(m.linker.lookup('x')!.ptr.ops);
    t.loadCpu(1);
    t.store(t.addressOf(x, 1), 'u32', 77);
    expect(m.load(m.addressOf(x, 1), 'u32')).toBe(77);
    expect(per_cpu(m, m.linker.lookup('y')!.ptr as never, 0)).toBe(-2n);
  });

  it('refuses a machine with private memory', () => {
    const m = new Machine({ cpus: 2 }).boot();
    expect(() => describeSharedMachine(m)).toThrow(
      "describeSharedMachine: this machine's memory is a private ArrayBuffer; create it with createSharedMachine() (or the sharedMemoryBytes option) so threads can share it",
    );
    expect(() => describeSharedMachine(new Machine())).toThrow('describeSharedMachine: the machine has not booted; call m.boot() first');
  });

  it('refuses different statics and leaves the machine unbooted', () => {
    const init = describeSharedMachine(booted());
    const t = new Machine({ cpus: 2 });
    DEFINE_PER_CPU(t, 'u32', 'x');
    DEFINE_PER_CPU(t, 'u64', 'z');
    expect(() => adoptMemory(t, init)).toThrow(
      /^adoptMemory: static per-CPU variable #\d+ differs: z \(u64\) at 0x[0-9a-f]+ in this thread, y \(i64\) at 0x[0-9a-f]+ in the booting thread; define the same statics in the same order before attaching$/,
    );
    expect(t.booted).toBe(false);
    expect(t.buffer).toBeNull();
    expect(() => t.u32).toThrow('per-CPU memory is not set up yet');
  });

  it('an attached view refuses to allocate: the booting thread owns the allocator', () => {
    const m = booted();
    const init = describeSharedMachine(m);
    const t = new Machine({ cpus: 2 });
    DEFINE_PER_CPU(t, 'u32', 'x');
    DEFINE_PER_CPU(t, 'i64', 'y');
    adoptMemory(t, init);
    expect(() => alloc_percpu(t, 'u32')).toThrow(
      'alloc_percpu: this machine shares memory booted by the booting thread, whose allocator owns it; allocate and free there and pass the pointers here',
    );
    expect(alloc_percpu(m, 'u32')).not.toBeNull(); // the booting machine still allocates
  });

  it('refuses another CPU count, a booted machine, and a non-shared buffer', () => {
    const init = describeSharedMachine(booted());
    expect(() => adoptMemory(new Machine({ cpus: 4 }), init)).toThrow(
      'adoptMemory: the shared memory was booted for 2 CPUs, this machine has 4; create it with the same cpus option',
    );
    expect(() => adoptMemory(new Machine({ cpus: 2 }).boot(), init)).toThrow('adoptMemory: this machine has already booted');
    const fake = { ...init, buffer: new ArrayBuffer(16) as unknown as SharedArrayBuffer };
    const t = new Machine({ cpus: 2 });
    expect(() => adoptMemory(t, fake)).toThrow('adoptMemory: buffer must be a SharedArrayBuffer (boot the first machine with sharedMemoryBytes)');
    expect(t.booted).toBe(false);
  });

  it('startCpuThreads refuses bad CPUs before starting anything', async () => {
    const m = booted();
    await expect(startCpuThreads(m, { jobs: JOBS, cpus: [0, 0] })).rejects.toThrow('startCpuThreads: cpu 0 is listed twice');
    await expect(startCpuThreads(m, { jobs: JOBS, cpus: [2] })).rejects.toThrow('startCpuThreads: invalid CPU 2: this machine has CPUs 0-1');
    await expect(startCpuThreads(m, { jobs: [] })).rejects.toThrow('startCpuThreads: no job module given');
  });

  it('a job module that cannot load fails the start, naming the CPU thread', async () => {
    const m = booted();
    await expect(startCpuThreads(m, { jobs: new URL('./no-such-jobs.ts', import.meta.url), cpus: [1] })).rejects.toThrow(
      /^cpu 1 thread: Error: Cannot find module '.*no-such-jobs\.ts'/,
    );
  });
});

describe('futex mutex', () => {
  it('lock/unlock in one thread, and unlocking an unlocked mutex is refused with the word unchanged', () => {
    const w = new Int32Array(new SharedArrayBuffer(8));
    mutex_lock(w, 1);
    expect(w[1]).toBe(1);
    mutex_unlock(w, 1);
    expect(w[1]).toBe(0);
    expect(() => mutex_unlock(w, 1)).toThrow('mutex_unlock: the mutex at word 1 is not locked (state 0); an unlock without a matching lock');
    expect(w[1]).toBe(0);
  });
});

describe('from compiled JavaScript', () => {
  it('workers start without tsx and the sums are exact', () => {
    const out = mkdtempSync(join(tmpdir(), 'percpu-threads-js-'));
    try {
      const files: string[] = [];
      const walk = (dir: string): void => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          const p = join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else if (e.name.endsWith('.ts')) files.push(p);
        }
      };
      walk(join(ROOT, 'src'));
      walk(join(ROOT, 'generated'));
      walk(join(ROOT, 'c'));
      for (const f of files) {
        const js = ts.transpileModule(readFileSync(f, 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
        }).outputText;
        const dest = join(out, relative(ROOT, f)).replace(/\.ts$/, '.js');
        mkdirSync(dirname(dest), { recursive: true });
        writeFileSync(dest, js);
      }
      writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
      writeFileSync(join(out, 'main.js'), `
import { DEFINE_PER_CPU } from './src/define.js';
import { per_cpu_sum } from './src/kernel/smp.js';
import { ATOMIC_COUNT, COUNTER_JOBS, COUNTERS, PROBE_JOBS, createCounterBuffer, createSharedMachine, startCpuThreads } from './src/threads/index.js';
const m = createSharedMachine({ cpus: 2 });
const hits = DEFINE_PER_CPU(m, 'u64', 'hits');
m.boot();
const shared = { [COUNTERS]: createCounterBuffer() };
const t = await startCpuThreads(m, { jobs: [COUNTER_JOBS, PROBE_JOBS], shared });
const who = await t.run('whoami');
await t.run('percpu_inc', { n: 1000, ptr: 'hits' });
await t.run('atomic_inc', { n: 1000 });
await t.close();
console.log(JSON.stringify({
  jobs: COUNTER_JOBS.pathname.endsWith('/src/threads/counters.js'),
  ids: who.map((r) => r.value.smpProcessorId),
  sum: String(per_cpu_sum(m, hits)),
  atomic: new Int32Array(shared[COUNTERS])[ATOMIC_COUNT],
}));
`);
      const r = spawnSync(process.execPath, ['main.js'], { cwd: out, encoding: 'utf8', timeout: 30_000 });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ jobs: true, ids: [0, 1], sum: '2000', atomic: 2000 });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
