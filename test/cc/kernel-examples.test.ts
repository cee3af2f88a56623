/**
 * The C kernel examples (examples/kernel/*.c): each is real kernel code with a
 * harness; `percpu-sim check` passes the kernel's version and catches the
 * broken variant (-DBROKEN) with a trace whose steps carry the C lines.
 * Schedule counts are exact: a change in the translation or the explorer
 * that changes them is a failure to look at.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCheck } from '../../cc/check.js';

function capture(): { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => { out.push(String(s)); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => { err.push(String(s)); return true; });
  return { out, err };
}

describe('C kernel examples under percpu-sim check', () => {
  afterEach(() => vi.restoreAllMocks());

  it('percpu_counter.c: percpu_counter_add_batch() keeps every counter below the batch and the sum exact; the first posting never folds', async () => {
    const F = 'examples/kernel/percpu_counter.c';
    const c = capture();
    expect(await runCheck([F, '--arch', 'all'])).toBe(0);
    expect(c.out.join('')).toBe([
      'percpu_counter.c on x86_64: no violation in 635 schedules (every schedule within preemption bound 2)',
      'percpu_counter.c on arm64: no violation in 468 schedules (every schedule within preemption bound 2)',
      'percpu_counter.c on generic: no violation in 339 schedules (every schedule within preemption bound 2)',
      '',
    ].join('\n'));
    vi.restoreAllMocks();
    const b = capture();
    expect(await runCheck([F, '-DBROKEN'])).toBe(1);
    const text = b.out.join('');
    expect(text).toContain('VIOLATION in percpu_counter.c on x86_64 (schedule 1): PERCPU_ALWAYS(within_batch): within_batch() returned false\n');
    expect(text).toContain([
      '  #1   cpu0 T1: movq fbc->counters, %rax    ; 8256    ; examples/kernel/percpu_counter.c:48',
      '  #2   cpu0 T1: movl %gs:*alloc_percpu#1, %eax    ; 0    ; examples/kernel/percpu_counter.c:48',
      '  #3   cpu0 T1: movq fbc->counters, %rax    ; 8256    ; examples/kernel/percpu_counter.c:53',
      '  #4   cpu0 T1: cmpxchgl %ecx, %gs:*alloc_percpu#1    ; 0 -> 3    ; examples/kernel/percpu_counter.c:53',
      '  #5   cpu0 T1: lock addq $3, added    ; 0 -> 3    ; examples/kernel/percpu_counter.c:106',
    ].join('\n'));
  });

  it('mnt_writers.c: this_cpu_inc/dec of a member behind a __percpu pointer; raw_cpu_* in preemptible code loses a writer on arm64 only', async () => {
    const F = 'examples/kernel/mnt_writers.c';
    const c = capture();
    expect(await runCheck([F, '--arch', 'all'])).toBe(0);
    expect(await runCheck([F, '-DBROKEN', '--arch', 'x86_64'])).toBe(0);
    expect(await runCheck([F, '-DBROKEN', '--arch', 'arm64'])).toBe(1);
    const text = c.out.join('');
    expect(text).toContain([
      'mnt_writers.c on x86_64: no violation in 333 schedules (every schedule within preemption bound 2)',
      'mnt_writers.c on arm64: no violation in 212 schedules (every schedule within preemption bound 2)',
      'mnt_writers.c on generic: no violation in 304 schedules (every schedule within preemption bound 2)',
      'mnt_writers.c on x86_64: no violation in 333 schedules (every schedule within preemption bound 2)',
    ].join('\n'));
    expect(text).toContain('VIOLATION in mnt_writers.c on arm64 (schedule 94): PERCPU_CHECK(no_writers_left): no_writers_left() returned false after all tasks finished\n');
    expect(text).toContain('cpu0 T1: add x1, x1, #&alloc_percpu#1->mnt_writers    ; examples/kernel/mnt_writers.c:48\n');
    expect(text).toContain('cpu0 T1: ldr w2, [x1]    ; alloc_percpu#1->mnt_writers: 0    ; examples/kernel/mnt_writers.c:48\n');
  });

  it('netstats.c: u64_stats updates in softirq and with bottom halves off; from a preemptible task DEBUG_PREEMPT reports this_cpu_ptr()', async () => {
    const F = 'examples/kernel/netstats.c';
    const c = capture();
    expect(await runCheck([F, '--arch', 'all'])).toBe(0);
    expect(await runCheck([F, '-DBROKEN'])).toBe(1);
    const text = c.out.join('');
    expect(text).toContain([
      'netstats.c on x86_64: no violation in 9 schedules (every schedule within preemption bound 2)',
      'netstats.c on arm64: no violation in 9 schedules (every schedule within preemption bound 2)',
      'netstats.c on generic: no violation in 9 schedules (every schedule within preemption bound 2)',
    ].join('\n'));
    expect(text).toContain('VIOLATION in netstats.c on x86_64 (schedule 1): T1 on cpu0: BUG: using smp_processor_id() in preemptible [00000000] code: T1/101 (at examples/kernel/netstats.c:55)\n');
    expect(text).toContain('  #1   cpu0 T1: movq dev->tstats, %rax    ; 8256    ; examples/kernel/netstats.c:55\n');
  });

  it('swap_fbatches.c: two local locks in a per-CPU struct, chosen by offsetof; with PREEMPT_RT no deadlock; lru_move_tail above lock_irq is the lockdep splat', async () => {
    const F = 'examples/kernel/swap_fbatches.c';
    const c = capture();
    expect(await runCheck([F, '--arch', 'all'])).toBe(0);
    expect(await runCheck([F, '--rt'])).toBe(0);
    expect(await runCheck([F, '-DBROKEN'])).toBe(1);
    const text = c.out.join('');
    expect(text).toContain([
      'swap_fbatches.c on x86_64: no violation in 74 schedules (every schedule within preemption bound 2)',
      'swap_fbatches.c on arm64: no violation in 74 schedules (every schedule within preemption bound 2)',
      'swap_fbatches.c on generic: no violation in 74 schedules (every schedule within preemption bound 2)',
      'swap_fbatches.c on x86_64: no violation in 1628 schedules (every schedule within preemption bound 2)',
    ].join('\n'));
    expect(text).toContain('VIOLATION in swap_fbatches.c on x86_64 (schedule 2): blk_done on cpu0: WARNING: inconsistent lock state\n'
      + 'inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} usage.\n');
    expect(text).toContain('  #20  cpu0 blk_done[irq]: call local_lock(cpu_fbatches.lock)    ; examples/kernel/swap_fbatches.c:134\n');
  });

  it('memcg_stats.c: __mod_memcg_state() from a task and NET_RX; __this_cpu_add() under get_cpu() loses the softirq\'s charge on arm64', async () => {
    const F = 'examples/kernel/memcg_stats.c';
    const c = capture();
    expect(await runCheck([F, '--arch', 'all'])).toBe(0);
    expect(await runCheck([F, '-DBROKEN', '--arch', 'x86_64'])).toBe(0);
    expect(await runCheck([F, '-DBROKEN', '--arch', 'arm64'])).toBe(1);
    const text = c.out.join('');
    expect(text).toContain([
      'memcg_stats.c on x86_64: no violation in 12 schedules (every schedule within preemption bound 2)',
      'memcg_stats.c on arm64: no violation in 18 schedules (every schedule within preemption bound 2)',
      'memcg_stats.c on generic: no violation in 9 schedules (every schedule within preemption bound 2)',
      'memcg_stats.c on x86_64: no violation in 12 schedules (every schedule within preemption bound 2)',
    ].join('\n'));
    expect(text).toContain('VIOLATION in memcg_stats.c on arm64 (schedule 2): PERCPU_CHECK(charges_add_up): charges_add_up() returned false after all tasks finished\n');
    expect(text).toContain('  #12  cpu0 NET_RX[softirq]: str x2, [x1]    ; alloc_percpu#1->state[1]: 0 -> 2    ; examples/kernel/memcg_stats.c:62\n');
    expect(text).toContain('  #14  cpu0 T1: str x2, [x1]    ; alloc_percpu#1->state[1]: 2 -> 1    ; examples/kernel/memcg_stats.c:62\n');
  });

  it('bh_lru.c: bh_lru_install() under local_irq_disable(); the !SMP preempt_disable() lets the invalidating IPI drop a reference not yet taken', async () => {
    const F = 'examples/kernel/bh_lru.c';
    const c = capture();
    expect(await runCheck([F, '--arch', 'all'])).toBe(0);
    expect(await runCheck([F, '-DBROKEN'])).toBe(1);
    const text = c.out.join('');
    expect(text).toContain([
      'bh_lru.c on x86_64: no violation in 2 schedules (every schedule within preemption bound 2)',
      'bh_lru.c on arm64: no violation in 2 schedules (every schedule within preemption bound 2)',
      'bh_lru.c on generic: no violation in 2 schedules (every schedule within preemption bound 2)',
    ].join('\n'));
    expect(text).toContain('VIOLATION in bh_lru.c on x86_64 (schedule 2): PERCPU_ALWAYS(caller_ref_held): caller_ref_held() returned false\n');
    expect(text).toContain('  #3   cpu0 T1: movq %rax, b->bhs[i]    ; 0 -> 86020    ; examples/kernel/bh_lru.c:114\n');
    expect(text).toContain('  #36  cpu0 ipi[irq]: lock decl bh->b_count    ; 1 -> 0    ; examples/kernel/bh_lru.c:43\n');
  });
});

