/**
 * Issue 10 item 15, as a family: every exported function of the package (the
 * top level, `rust`, the threads exports, the generated ops of every
 * architecture) and every public method of the main classes is called with a
 * hostile argument in each position — {}, null, undefined, 5, 'x', a Machine
 * of another architecture — the other arguments being valid ones. Whatever
 * happens, it may not be a bare native TypeError ("Cannot read properties of
 * …", "… is not a function", "… is not iterable"): a refused call says which
 * call refused and what it was given. Then the issue's own list, with exact
 * messages.
 */
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import * as ctypes from '../c/index.js';
import * as x86 from '../generated/x86_64/percpu.js';
import * as threadSpin from '../src/threads/spinlock.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ATOMICS_TABLE, expandRow, parseAtomicsTable, type AtomicArg } from '../generator/atomics.js';
import { ROOT } from './generator/support.js';
import { measureExplorer } from '../src/explore/bench.js';

/** The atomic families' functions and their C arguments, from the table they are generated from. */
const ATOMIC_ARGS = new Map<string, readonly AtomicArg[]>(
  parseAtomicsTable(readFileSync(path.join(ROOT, 'templates', ATOMICS_TABLE), 'utf8'), 'atomics.tbl')
    .flatMap(expandRow)
    .flatMap((v) => ['atomic', 'atomic64', 'atomic_long'].map((prefix) => [`${prefix}_${v.op}`, v.row.args] as const)),
);

/** The x86-64 generated module, as registerArchOps takes it. */
function x86Module(): Record<string, unknown> {
  return x86 as unknown as Record<string, unknown>;
}
import { Machine } from '../src/machine.js';

const NATIVE = [
  /Cannot read propert/, /Cannot set propert/, /Cannot destructure/, /is not a function/, /is not iterable/,
  /is not a constructor/, /Cannot convert .* to a BigInt/, /Do not know how to serialize/, /Invalid typed array length/,
  /is not an integer typed array/, /Invalid value used as weak map key/, /Cannot use 'in' operator/, /Cannot mix BigInt/,
  /Cannot create property/, /private member/, /Invalid atomic access/, /Offset is outside the bounds/, /^undefined$/, /^null$/,
];

type AnyFn = (...args: unknown[]) => unknown;

/** A fresh booted x86-64 machine and one of each kind of pointer: the valid arguments. */
function world() {
  const m = new Machine({ cpus: 4 });
  const x = api.DEFINE_PER_CPU(m, 'u32', 'x');
  const v8 = api.DEFINE_PER_CPU(m, 'u64', 'v8');
  const sym = api.rust.define_per_cpu(m, 'S', 'u32');
  m.boot();
  const nr = api.global_var(m, 'atomic_t', 'nr');
  const nr64 = api.global_var(m, 'atomic64_t', 'nr64');
  const word = api.global_var(m, 'int', 'word');
  return { m, x, v8, sym, nr, nr64, word };
}

/** The hostile values: each replaces one argument in turn. */
function hostile(): Array<[string, unknown]> {
  return [['{}', {}], ['null', null], ['undefined', undefined], ['5', 5], ["'x'", 'x'], ['an arm64 Machine', new Machine({ cpus: 2, arch: 'arm64' }).boot()]];
}

/**
 * The valid arguments a call gets in the positions not under test. Most
 * functions take (m, pointer, value…); the rest are listed.
 */
function validArgs(name: string, w: ReturnType<typeof world>, arity: number): unknown[] {
  const { m, x, v8, sym, nr, nr64, word } = w;
  const special: Record<string, () => unknown[]> = {
    DEFINE_PER_CPU: () => [new Machine({ cpus: 2 }), 'u32', 'y', 0],
    define_per_cpu: () => [new Machine({ cpus: 2 }), 'y', 'u32', 0],
    unsafe_get_per_cpu_ref: () => [m, sym, new api.rust.CpuGuard(m)],
    get_static_per_cpu: () => [m, sym],
    per_cpu: () => [m, x, 1],
    per_cpu_write: () => [m, x, 1, 3],
    per_cpu_ptr: () => [m, x, 1],
    cpu_down: () => [m, 2],
    cpu_up: () => [m, 2],
    cpu_dying: () => [m, 2],
    cpu_online: () => [m, 2],
    alloc_percpu: () => [m, 'u32'],
    __alloc_percpu: () => [m, 8, 8],
    __alloc_reserved_percpu: () => [m, 8, 8],
    free_percpu: () => [m, api.alloc_percpu(m, 'u32')],
    pcpu_alloc_size: () => [m, api.alloc_percpu(m, 'u32')],
    percpu_counter_init: () => [m, 0],
    local_irq_restore: () => [m, 0x200],
    cpuhp_setup_state: () => [m, 'test:x', null, null],
    cpuhp_setup_state_nocalls: () => [m, 'test:x', null, null],
    cpuhp_remove_state: () => [m, api.cpuhp_setup_state_nocalls(m, 'test:r', null, null)],
    cpuhp_remove_state_nocalls: () => [m, api.cpuhp_setup_state_nocalls(m, 'test:r2', null, null)],
    checkInRange: () => [api.SCALARS.u32, 1, 'checkInRange'],
    scalarInfo: () => ['u32', 'scalarInfo'],
    fromBits: () => [api.SCALARS.u32, 1n],
    toBits: () => [api.SCALARS.u32, 1],
    opsFor: () => ['x86_64', 'u32'],
    badOperand: () => ['fn', 'val', 1.5, false],
    misaligned: () => ['fn', 3, 4],
    badOvalp: () => ['fn', null, false],
    getScenario: () => ['rmw-ptr'],
    runSchedule: () => [api.getScenario('rmw-ptr'), '0'],
    exploreExhaustive: () => [api.getScenario('rmw-ptr'), { maxSchedules: 1 }],
    exploreParallel: () => [api.getScenario('rmw-ptr'), { jobs: 1, maxSchedules: 1 }],
    formatTrace: () => [[]],
    formatViolation: () => [api.getScenario('rmw-ptr'), { trace: [], index: 1, message: 'm', steps: 0, preemptions: 0, migrations: 0, interrupts: 0, schedule: '0', seed: null }, 2],
    conflicts: () => [[], []],
    footprint: () => [m, { asm: 'addl %[val], %gs:[var]', pcp: x }, 0],
    formatStep: () => [{ asm: 'addl %[val], %gs:[var]', pcp: x }],
    mnemonicSize: () => ['addl'],
    mnemonicAccess: () => ['addl'],
    choiceToken: () => [{ kind: 'step', cpu: 0 }],
    formatTraceEntry: () => [{ n: 1, kind: 'step', cpu: 0, who: 'T1', text: 'x' }],
    parseToken: () => ['0'],
    runSeed: () => [api.getScenario('rmw-ptr'), 1],
    exploreRandom: () => [api.getScenario('rmw-ptr'), 1, 1],
    bindCpu: () => [m, 1],
    revivePtr: () => [m, api.describePtr(x)],
    describePtr: () => [x],
    cachelineOf: () => [4096],
    cachelinesOfCopies: () => [m, x],
    barrier_wait: () => [new Int32Array(new SharedArrayBuffer(64)), 1],
    mutex_lock: () => [new Int32Array(new SharedArrayBuffer(64)), 0],
    mutex_unlock: () => [new Int32Array(new SharedArrayBuffer(64)), 0],
    raw_spin_lock: () => [new Int32Array(new SharedArrayBuffer(64)), 0],
    raw_spin_trylock: () => [new Int32Array(new SharedArrayBuffer(64)), 0],
    raw_spin_unlock: () => [new Int32Array(new SharedArrayBuffer(64)), 0],
    raw_spin_is_locked: () => [new Int32Array(new SharedArrayBuffer(64)), 0],
    struct: () => ['s', { a: 'u32' }],
    on_each_cpu: () => [m, () => undefined],
    cpumask_iter: () => [api.rust.online_cpus(m)],
    checkStat: () => [m, 8, 'checkStat'],
    checkDelta: () => [1n, 'checkDelta'],
    registerArchOps: () => ['x86_64', x86Module()],
    percpuCounterView: () => [m, api.alloc_percpu(m, 'i32'), new SharedArrayBuffer(api.PERCPU_COUNTER_STATE_BYTES), 'percpuCounterView'],
    check_preemption_disabled: () => { m.ctx.preemptCount = 1; return [m, 'smp_processor_id', '']; },
    __this_cpu_preempt_check: () => { m.ctx.preemptCount = 1; return [m, 'add']; },
  };
  if (special[name]) return special[name]();
  const atomicArgs = ATOMIC_ARGS.get(name);
  if (atomicArgs) {
    const big = !name.startsWith('atomic_') || name.startsWith('atomic_long_');
    const val = big ? 1n : 1;
    return [m, ...atomicArgs.map((a) => (a.type === 'v' || a.type === 'cv' ? (big ? nr64 : nr) : a.type === 'p' ? { value: val } : val))];
  }
  if (/^(READ_ONCE|WRITE_ONCE|smp_load_acquire|smp_store_release|xchg|cmpxchg)$/.test(name)) return [m, word, 1, 1].slice(0, Math.max(arity, 2));
  if (name === 'try_cmpxchg') return [m, word, { value: 1 }, 1];
  if (/^smp_cond_load_/.test(name)) return [m, word, () => true];
  if (/^this_cpu_|^raw_cpu_|^__this_cpu_/.test(name)) {
    m.ctx.preemptCount = 1; // __this_cpu_* need a caller that cannot migrate
    const size = /_(\d+)$/.exec(name)?.[1];
    const p = size === '8' ? v8 : x;
    const val = size === '8' ? 1n : 1;
    if (/try_cmpxchg/.test(name)) return [m, p, { value: val }, val];
    if (/cmpxchg/.test(name)) return [m, p, val, val];
    return [m, p, val, val].slice(0, Math.max(arity, 2));
  }
  return [m, x, 0, 0, 0].slice(0, Math.max(arity, 1));
}

/**
 * Functions for which a hostile value in some position is legitimately
 * accepted (an options object that may be empty, a value any type of which is
 * fine), and slow runs a valid default would start.
 */
const SKIP_POSITION: Record<string, number[]> = {
  describe: [0], isScalarName: [0], serializeError: [0],
  barrier_wait: [1], // 5 parties is valid: the call would wait for four more threads
  // Options objects whose every field is optional: {} or an unrelated object means "defaults", a full run.
  exploreExhaustive: [1], exploreRandom: [3], runSchedule: [2], runSeed: [2],
};

/**
 * Not part of this loop: startCpuThreads is async (below); measureExplorer takes
 * an options object whose every field is optional, so most hostile values mean
 * "measure everything" (its refusals are checked below).
 */
const NOT_HERE = new Set(['startCpuThreads', 'measureExplorer']);

/**
 * The explorer's entry points speak for the CLI command they serve: their
 * messages start `explore:` or `schedule:` (what percpu-sim prints after its own
 * name), and getScenario's says `unknown scenario 'x'`. Those count as naming the call.
 */
const CALL_NAMES: Record<string, readonly string[]> = {
  exploreExhaustive: ['explore:'], exploreRandom: ['explore:'], runSeed: ['explore:'], explorePct: ['explore:'], runPctSeed: ['explore:'], estimateSchedules: ['explore:'],
  runSchedule: ['explore:', 'schedule:'], parseToken: ['schedule:'], getScenario: ['unknown scenario'],
};

function check(where: string, name: string, call: () => unknown, problems: string[]): void {
  let thrown: unknown;
  try {
    const r = call();
    if (r instanceof Promise) r.catch(() => undefined);
    return;
  } catch (e) {
    thrown = e;
  }
  const msg = thrown instanceof Error ? thrown.message : String(thrown);
  const first = msg.split('\n')[0];
  const bare = name.replace(/^(rust|arm64_ops|generic_ops)\./, '');
  // A kernel BUG splat is in the kernel's words, which name the accessor the kernel would (smp_processor_id()).
  if (thrown instanceof api.KernelBugError && first.startsWith('BUG: ')) return;
  if (NATIVE.some((re) => re.test(first))) problems.push(`${where}: native error: ${first}`);
  else if (!first.includes(bare) && !(CALL_NAMES[bare] ?? []).some((n) => first.startsWith(n))) problems.push(`${where}: does not name ${bare}: ${first}`);
}

function exportedFunctions(): Array<[string, AnyFn]> {
  const out: Array<[string, AnyFn]> = [];
  const add = (prefix: string, mod: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(mod)) if (typeof v === 'function') out.push([`${prefix}${k}`, v as AnyFn]);
  };
  add('', api as unknown as Record<string, unknown>);
  add('rust.', api.rust as unknown as Record<string, unknown>);
  return out;
}

const isClass = (f: AnyFn): boolean => /^class\b/.test(Function.prototype.toString.call(f));

describe('every exported function refuses hostile arguments by name', () => {
  it('the module-level functions of the package and of rust', () => {
    const problems: string[] = [];
    let calls = 0;
    for (const [name, fn] of exportedFunctions()) {
      const bare = name.replace(/^rust\./, '');
      if (NOT_HERE.has(bare) || isClass(fn) || bare in ctypes) continue;
      const arity = Math.max(fn.length, validArgs(bare, world(), fn.length).length, 1);
      for (let pos = 0; pos < arity; pos++) {
        if (SKIP_POSITION[bare]?.includes(pos)) continue;
        for (const [label, value] of hostile()) {
          const w = world();
          const args = validArgs(bare, w, arity);
          args[pos] = value;
          check(`${name}(arg ${pos} = ${label})`, name, () => fn(...args), problems);
          calls++;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(calls).toBeGreaterThan(400);
  });

  it('the constructors, static methods and public methods of the runtime\'s and the Rust API\'s classes', () => {
    const { rust } = api;
    const problems: string[] = [];
    type Call = { recv: unknown; method: string; args: unknown[] };
    const call = (recv: unknown, method: string, args: unknown[]): Call => ({ recv, method, args });
    const fresh = () => {
      const w = world();
      return { ...w, p: rust.PerCpu.new(w.m, 'u32', { name: 'p' })! };
    };
    const cases: Array<[string, () => Call]> = [
      ...(['runOn', 'migrate', 'checkCpu', 'load', 'store', 'addressOf', 'mapArea', 'loadCpu'] as const).map((meth): [string, () => Call] => [`Machine#${meth}`, () => {
        const { m, x } = world();
        const args: Record<string, unknown[]> = {
          runOn: [1, () => 0], migrate: [1], checkCpu: [1, 'checkCpu'], load: [m.addressOf(x, 1), 'u32'], store: [m.addressOf(x, 1), 'u32', 1],
          addressOf: [x, 1], mapArea: [4096], loadCpu: [1],
        };
        return call(m, meth, args[meth]);
      }]),
      ['new Cpumask', () => call(api.Cpumask, 'new', [4])],
      ['new Scheduler', () => call(api.Scheduler, 'new', [api.getScenario('rmw-ptr').build(), 2, true])],
      ['new Machine', () => call(Machine, 'new', [{ cpus: 2 }])],
      ['new CpuGuard', () => call(rust.CpuGuard, 'new', [world().m, {}])],
      ['PerCpu.new', () => call(rust.PerCpu, 'new', [world().m, 'u32', { name: 'n' }])],
      ['DynamicPerCpu.newZero', () => call(rust.DynamicPerCpu, 'newZero', [world().m, 'u32', {}])],
      ['DynamicPerCpu.newWith', () => call(rust.DynamicPerCpu, 'newWith', [world().m, 'u32', 1, {}])],
      ['DynamicPerCpu.newFrom', () => call(rust.DynamicPerCpu, 'newFrom', [world().m, 'u32', () => 1, {}])],
      ['PerCpuAllocation.new_zero', () => call(rust.PerCpuAllocation, 'new_zero', [world().m, 'u32', {}])],
      ['StructLayout.define', () => call(rust.StructLayout, 'define', ['s', { a: 'u32' }])],
      ...(['strong_count', 'downgrade', 'into_unique_or_drop', 'is_dropped'] as const).map((meth): [string, () => Call] => [`Arc.${meth}`, () => call(rust.Arc, meth, [rust.Arc.new(1)])]),
      ['PerCpuRef.unsafe_new', () => { const { m } = world(); return call(rust.PerCpuRef, 'unsafe_new', [m, api.alloc_percpu(m, 'u32'), 'u32', new rust.CpuGuard(m), {}]); }],
      ...(['get', 'get_mut', 'get_checked', 'getRemotePtr', 'clone'] as const).map((meth): [string, () => Call] => [`PerCpu#${meth}`, () => {
        const { m, p } = fresh();
        return call(p, meth, meth === 'getRemotePtr' ? [1] : meth === 'clone' ? [{}] : [new rust.CpuGuard(m)]);
      }]),
      ...(['set', 'update', 'add', 'sub', 'and', 'or', 'xchg', 'cmpxchg'] as const).map((meth): [string, () => Call] => [`PerCpuRef#${meth}`, () => {
        const { m, p } = fresh();
        return call(p.get(new rust.CpuGuard(m)), meth, meth === 'update' ? [(v: number) => v] : meth === 'cmpxchg' ? [0, 1] : [1]);
      }]),
      ...(['write', 'add', 'sub', 'and', 'or', 'xchg', 'cmpxchg'] as const).map((meth): [string, () => Call] => [`PerCpuNumeric#${meth}`, () => call(fresh().p.num(), meth, meth === 'cmpxchg' ? [0, 1] : [1])]),
      ['PerCpuToken#with', () => { const { m, p } = fresh(); return call(p.get_mut(new rust.CpuGuard(m)), 'with', [(v: { get(): number }) => v.get()]); }],
      ['CheckedPerCpuToken#with', () => { const { m, p } = fresh(); return call(p.get_checked(new rust.CpuGuard(m)), 'with', [(v: { get(): number }) => v.get()]); }],
      ['RemotePtr#write', () => call(fresh().p.getRemotePtr(1), 'write', [1])],
      ['StructLayout#check', () => call(rust.struct('s', { a: 'u32' }), 'check', [{ a: 1 }, 'check'])],
      ['StructLayout#field', () => call(rust.struct('s', { a: 'u32' }), 'field', ['a'])],
      ['StructLayout#load', () => call(rust.struct('s', { a: 'u32' }), 'load', [world().m.view, 4160])],
    ];
    let calls = 0;
    for (const [where, make] of cases) {
      for (let pos = 0; pos < make().args.length; pos++) {
        for (const [label, value] of hostile()) {
          const { recv, method, args } = make();
          args[pos] = value;
          const r = recv as Record<string, AnyFn> & (new (...a: unknown[]) => unknown);
          try {
            if (method === 'new') new r(...args);
            else r[method](...args);
          } catch (e) {
            const first = (e instanceof Error ? e.message : String(e)).split('\n')[0];
            if (NATIVE.some((re) => re.test(first))) problems.push(`${where}(arg ${pos} = ${label}): native error: ${first}`);
          }
          calls++;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(calls).toBeGreaterThan(300);
  });
});

describe('the issue\'s list, with exact messages', () => {
  it('per_cpu with a non-pointer, DEFINE_PER_CPU and percpu_counter_init without a machine, attachMachine and revivePtr with junk', () => {
    const { m } = world();
    const before = [api.preempt_count(m), api.irqs_disabled(m)];
    expect(() => api.per_cpu(m, {} as never, 0)).toThrow(new TypeError('per_cpu: expected a per-CPU pointer (a DEFINE_PER_CPU symbol or what alloc_percpu() returned), got an object ([object Object])'));
    expect(() => api.DEFINE_PER_CPU({} as never, 'u32', 'v')).toThrow(new TypeError('DEFINE_PER_CPU: expected a Machine (new Machine({ cpus })), got an object ([object Object])'));
    expect(() => api.percpu_counter_init({} as never)).toThrow(new TypeError('percpu_counter_init: expected a Machine (new Machine({ cpus })), got an object ([object Object])'));
    expect(() => api.attachMachine({} as never)).toThrow(new TypeError('attachMachine: expected a description from describeSharedMachine(), got an object ([object Object])'));
    expect(() => api.revivePtr(m, null as never)).toThrow(new TypeError('revivePtr: expected a descriptor from describePtr(), got null'));
    expect([api.preempt_count(m), api.irqs_disabled(m)]).toEqual(before);
  });

  it('the preemption and interrupt calls name themselves, and put_cpu\'s underflow names put_cpu', () => {
    for (const [name, f] of [
      ['preempt_disable', api.preempt_disable], ['preempt_enable', api.preempt_enable], ['preempt_count', api.preempt_count],
      ['local_irq_save', api.local_irq_save], ['local_irq_disable', api.local_irq_disable], ['irqs_disabled', api.irqs_disabled],
    ] as const) {
      expect(() => (f as AnyFn)(null)).toThrow(new TypeError(`${name}: expected a Machine (new Machine({ cpus })), got null`));
    }
    const { m } = world();
    expect(() => api.put_cpu(m)).toThrow(new api.KernelBugError('BUG: put_cpu() with preempt_count 0 in init/1: preempt count underflow (an enable without a matching preempt_disable)'));
    expect(api.preempt_count(m)).toBe(0);
  });

  it('the shared-memory primitives name the call and the bad word or index', () => {
    const w = new Int32Array(new SharedArrayBuffer(16));
    expect(() => threadSpin.raw_spin_lock({} as never, 0)).toThrow(new TypeError('raw_spin_lock: word must be an Int32Array over shared memory, got an object ([object Object])'));
    expect(() => api.mutex_unlock(w, 4)).toThrow(new RangeError('mutex_unlock: index must be an integer from 0 to 3 (a word of the array), got 4'));
    expect(() => api.barrier_wait(w, 0)).toThrow(new RangeError('barrier_wait: parties must be a positive integer (the threads that meet here), got 0'));
    expect(Array.from(w)).toEqual([0, 0, 0, 0]);
  });

  it('registerArchOps refuses a module that lacks ops, and the registry is unchanged', () => {
    const { m, x } = world();
    expect(() => api.registerArchOps('x86_64', {})).toThrow(new TypeError('registerArchOps: the module given for x86_64 has no function raw_cpu_read_1'));
    api.this_cpu_add(m, x, 2);
    expect(api.per_cpu(m, x, 0)).toBe(2);
  });
});

describe('the explorer\'s entry points', () => {
  it('refuse a missing scenario, options or schedule by name', () => {
    const s = api.getScenario('rmw-ptr');
    expect(() => api.runSchedule(s, null as never)).toThrow(new TypeError("schedule: expected a schedule string such as '0,0,p0:T2', got null"));
    expect(() => api.runSchedule(null as never, '0')).toThrow(new TypeError('explore: expected a scenario (getScenario(name), or an object { name, build, … }), got null'));
    expect(() => api.exploreExhaustive(s, null as never)).toThrow(new TypeError('explore: options must be an object, got null'));
    expect(() => measureExplorer(5 as never)).toThrow(new TypeError('measureExplorer: options must be an object { scenarios?: string[], runs?, warmup? }, got 5'));
    expect(() => api.getScenario(5 as never)).toThrow(new TypeError('getScenario: expected a scenario name (a string), got 5'));
  });
});
