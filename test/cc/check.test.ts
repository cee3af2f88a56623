/**
 * `percpu-sim check file.c`: translate, load, explore the C file's own
 * harness. The kernel example examples/kernel/bpf_trace.c passes as written
 * and fails in its broken variant (-DBROKEN) with the kernel's message, a
 * trace whose steps carry their C lines, and a replay line that reproduces it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCheckArgs, runCheck } from '../../cc/check.js';

function capture(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err.push(String(s)); return true; });
  return { out, err };
}

const FILE = 'examples/kernel/bpf_trace.c';

describe('percpu-sim check', () => {
  afterEach(() => vi.restoreAllMocks());

  it('passes the correct trace_call_bpf() caller on every schedule', async () => {
    const c = capture();
    expect(await runCheck([FILE])).toBe(0);
    // 192 before a task's code up to its first yield ran in its first step (issue 11): that step conflicts with
    // every memory access, and a task that has not started may still be preempted or migrated.
    expect(c.out.join('')).toBe('bpf_trace.c on x86_64: no violation in 2182 schedules (every schedule within preemption bound 2)\n');
  });

  it('catches the preemptible caller with DEBUG_PREEMPT: the kernel splat and the C line', async () => {
    const c = capture();
    expect(await runCheck([FILE, '-DBROKEN', '--arch', 'arm64'])).toBe(1);
    const text = c.out.join('');
    expect(text).toContain('VIOLATION in bpf_trace.c on arm64 (schedule 1): T1 on cpu0: BUG: using __this_cpu_add_return() in preemptible [00000000] code: T1/101 (at examples/kernel/bpf_trace.c:52)\n');
  });

  it('without the debug checks, finds the migration that leaves the guard raised, with C lines on every step', async () => {
    const c = capture();
    expect(await runCheck([FILE, '-DBROKEN', '-UCONFIG_DEBUG_PREEMPT', '-UCONFIG_DEBUG_ATOMIC_SLEEP'])).toBe(1);
    const text = c.out.join('');
    expect(text).toContain('VIOLATION in bpf_trace.c on x86_64 (schedule 3): PERCPU_CHECK(guards_down): guards_down() returned false after all tasks finished\n');
    expect(text).toContain('cpu0 T1: xaddl %eax, %gs:bpf_prog_active    ; 0 -> 1    ; examples/kernel/bpf_trace.c:52\n');
    expect(text).toContain('cpu1 -- migrate: T2 cpu0 -> cpu1');
    expect(text).toContain('cpu1 T2: addl $-1, %gs:bpf_prog_active    ; 0 -> -1    ; examples/kernel/bpf_trace.c:66\n');
    const replay = /replay: percpu-sim check (.*)\n/.exec(text)![1].split(' ');
    expect(replay.slice(0, 6)).toEqual([FILE, '--arch', 'x86_64', '-DBROKEN', '-UCONFIG_DEBUG_PREEMPT', '-UCONFIG_DEBUG_ATOMIC_SLEEP'].slice(0, 6));
    vi.restoreAllMocks();
    const r = capture();
    expect(await runCheck(replay)).toBe(1);
    expect(r.out.join('')).toContain('VIOLATION: PERCPU_CHECK(guards_down): guards_down() returned false after all tasks finished\n');
  });

  it('printk_pending.c: v5.15\'s __this_cpu_or() is safe on x86-64 (one orl) and loses klogd\'s wakeup on arm64', async () => {
    const P = 'examples/kernel/printk_pending.c';
    const c = capture();
    expect(await runCheck([P, '--arch', 'all'])).toBe(0);
    expect(await runCheck([P, '-DBROKEN', '--arch', 'x86_64'])).toBe(0);
    expect(await runCheck([P, '-DBROKEN', '--arch', 'arm64'])).toBe(1);
    const text = c.out.join('');
    expect(text).toContain('printk_pending.c on x86_64: no violation in 11 schedules (every schedule within preemption bound 2)\n'
      + 'printk_pending.c on arm64: no violation in 29 schedules (every schedule within preemption bound 2)\n'
      + 'printk_pending.c on generic: no violation in 5 schedules (every schedule within preemption bound 2)\n'
      + 'printk_pending.c on x86_64: no violation in 11 schedules (every schedule within preemption bound 2)\n');
    expect(text).toContain([
      '  #4   cpu0 T1: ldr w2, [x1]    ; printk_pending: 0    ; examples/kernel/printk_pending.c:98',
      '  #5   cpu0 T1: orr w2, w2, w0    ; examples/kernel/printk_pending.c:98',
      '  #6   cpu0 -- interrupt: printk_irq on cpu0 (over T1)',
    ].join('\n'));
    expect(text).toContain('  #11  cpu0 T1: str w2, [x1]    ; printk_pending: 1 -> 2    ; examples/kernel/printk_pending.c:98\n');
    expect(text).toContain('!! PERCPU_CHECK(nothing_lost): nothing_lost() returned false after all tasks finished\n');
  });

  it('an NMI handler (PERCPU_NMI) strikes with interrupts off: raw_cpu_add() loses its update on arm64, not on x86-64', async () => {
    const c = capture();
    expect(await runCheck(['test/cc/check/nmi.c', '--arch', 'x86_64'])).toBe(0);
    expect(await runCheck(['test/cc/check/nmi.c', '--arch', 'arm64'])).toBe(1);
    const text = c.out.join('');
    expect(text).toContain('nmi.c on x86_64: no violation in 4 schedules (every schedule within preemption bound 2)\n');
    expect(text).toContain([
      '  #12  cpu0 T1: add w2, w2, w0    ; test/cc/check/nmi.c:29',
      '  #13  cpu0 -- NMI: perf_nmi on cpu0 (over T1)',
      '  #14  cpu0 perf_nmi[nmi]: mrs x1, tpidr_el1    ; test/cc/check/nmi.c:36',
    ].join('\n'));
    expect(text).toContain('  #22  cpu0 T1: str w2, [x1]    ; events: 3 -> 3    ; test/cc/check/nmi.c:29\n');
  });

  it('refuses bad usage and C outside the subset with exit 2', async () => {
    const c = capture();
    expect(await runCheck([])).toBe(2);
    expect(await runCheck([FILE, '--arch', 'sparc'])).toBe(2);
    expect(await runCheck(['test/cc/errors/float.c'])).toBe(2);
    expect(c.err.join('')).toContain("percpu-sim check: --arch: expected x86_64, arm64, generic or all, got 'sparc'\n");
    expect(c.err.join('')).toContain('test/cc/errors/float.c:6:1: unsupported: floating point, the kernel does not use the FPU in this code: use integers\n');
  });

  it('parses -D, -U, --arch all and --rt', () => {
    const a = parseCheckArgs(['f.c', '-DA', '-D', 'B=2', '-UC', '--arch', 'all', '--rt']);
    expect(a.defines).toEqual({ A: '1', B: '2', CONFIG_PREEMPT_RT: '1' });
    expect(a.undefs).toEqual(['C']);
    expect(a.arches).toEqual(['x86_64', 'arm64', 'generic']);
  });
});
