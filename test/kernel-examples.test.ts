/**
 * The kernel examples of examples/kernel/*.ts (issue 11, "Examples that must
 * run"): each correct version is explored exhaustively and passes; each
 * broken variant is caught, with its message, its trace and its replay line.
 * Bounds are the scenarios' own (1), so every run takes well under a second
 * or two.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { runExplore } from '../src/cli/explore.js';
import { exploreExhaustive, formatTraceEntry, runSchedule, type Scenario } from '../src/index.js';
import { mntWritersNoWriteHold, mntWritersScenario } from '../examples/kernel/mnt_writers.js';
import { memcgStatsRawAdd, memcgStatsRawAddX86, memcgStatsScenario } from '../examples/kernel/memcg_stats.js';
import { netstatsScenario, netstatsTxPreemptible } from '../examples/kernel/netstats.js';
import { swapFbatchesRT, swapFbatchesScenario, swapFbatchesTailBeforeLockIrq } from '../examples/kernel/swap_fbatches.js';
import { bhLruPreemptOnly, bhLruScenario } from '../examples/kernel/bh_lru.js';

/** The first violation of an exhaustive run, its trace as printed, and a replay of its schedule. */
function caught(s: Scenario): { message: string; schedule: string; lines: string[]; schedules: number } {
  const r = exploreExhaustive(s);
  expect(r.violations).toHaveLength(1);
  const v = r.violations[0]!;
  const again = runSchedule(s, v.schedule);
  expect(again.violation).toBe(v.message);
  return { message: v.message, schedule: v.schedule, lines: v.trace.map(formatTraceEntry), schedules: r.schedules };
}

function passes(s: Scenario): number {
  const r = exploreExhaustive(s, { maxViolations: Infinity });
  expect(r.violations.map((v) => v.message)).toEqual([]);
  expect(r.complete).toBe(true);
  return r.schedules;
}

describe('fs/namespace.c: mnt_writers', () => {
  it('the kernel code: no writer is ever inside a read-only mount, the counts sum to 0', () => {
    expect(passes(mntWritersScenario)).toBe(196);
  });

  it('mnt_make_readonly() without MNT_WRITE_HOLD: the writer counted after the sum is inside a read-only mount', () => {
    const c = caught(mntWritersNoWriteHold);
    expect(c.message).toBe('the mount was made read-only with 1 writer inside');
    expect(c.schedule).toBe('1,0,0,0,0,1,1,1');
    expect(c.lines).toEqual([
      "#1   cpu1 R: movl per_cpu_ptr(mnt_pcp, 0)->mnt_writers, %eax    ; 0    ; cpu0's copy",
      '#2   cpu0 W: incl %gs:mnt_pcp->mnt_writers    ; 0 -> 1',
      '#3   cpu0 W: movl mnt->mnt_flags, %eax    ; 0',
      '#4   cpu0 W: movl mnt->mnt_flags, %eax    ; 0',
      '#5   cpu0 W: ghost update writers_inside    ; 0 -> 1',
      '#6   cpu1 R: movl per_cpu_ptr(mnt_pcp, 1)->mnt_writers, %eax    ; 0',
      '#7   cpu1 R: movl mnt->mnt_flags, %eax    ; 0',
      '#8   cpu1 R: movl %eax, mnt->mnt_flags    ; 0 -> 64',
      '     cpu1 .. R exits; cpu1 idle',
      '     !! the mount was made read-only with 1 writer inside',
    ]);
  });
});

describe('mm/memcontrol.c: memcg_stats', () => {
  it('this_cpu_add() from a task and NET_RX on arm64: nothing lost', () => {
    expect(passes(memcgStatsScenario)).toBe(5);
  });

  it('__this_cpu_add() under get_cpu() on arm64: the softirq between ldr and str is lost', () => {
    const c = caught(memcgStatsRawAdd);
    expect(c.message).toBe('lost update: state[MEMCG_SOCK] sums to 3 over the CPUs, but 4 pages were charged');
    expect(c.schedule).toBe('0,0,0,0,s0:NET_RX,0,0,0,0,0,0,0,0');
    expect(c.lines.slice(2, 5)).toEqual([
      '#3   cpu0 T: ldr x2, [x1]    ; vmstats_percpu->state[2]: 0',
      '#4   cpu0 T: add x2, x2, x0',
      '#5   cpu0 -- softirq: NET_RX raised by an interrupt, runs on cpu0 (over T)',
    ]);
    expect(c.lines.slice(9)).toEqual([
      '#10  cpu0 NET_RX[softirq]: str x2, [x1]    ; vmstats_percpu->state[2]: 0 -> 1',
      '#11  cpu0 NET_RX[softirq]: ghost update pages_charged    ; 0 -> 1',
      '     cpu0 .. NET_RX returns; T resumes',
      '#12  cpu0 T: str x2, [x1]    ; vmstats_percpu->state[2]: 1 -> 3',
      '#13  cpu0 T: ghost update pages_charged    ; 1 -> 4',
      '     cpu0 .. T exits; cpu0 idle',
      '     !! lost update: state[MEMCG_SOCK] sums to 3 over the CPUs, but 4 pages were charged',
    ]);
  });

  it('the same __this_cpu_add() on x86-64 is one addq: nothing lost', () => {
    expect(passes(memcgStatsRawAddX86)).toBe(3);
  });
});

describe('include/linux/netdevice.h: netstats', () => {
  it('tx with bottom halves off, rx in NET_RX, a reader: the sums are exact and the reader is never ahead', () => {
    expect(passes(netstatsScenario)).toBe(473);
  });

  it('tx from preemptible process context: the task migrates between this_cpu_ptr() and the update and writes cpu0\'s counters', () => {
    const c = caught(netstatsTxPreemptible);
    expect(c.message).toBe("T on cpu1 writes cpu0's copy of the statistics (addq $1, tstats->tx_packets): the u64_stats writer of cpu0 is not exclusive");
    expect(c.schedule).toBe('0,1,1,1,s0:NET_RX,0,0,0,mT:1,1,1,1,1,1,1');
    expect(c.lines[0]).toBe('#1   cpu0 T: addq $60, tstats->tx_bytes    ; 0 -> 60');
    expect(c.lines.slice(4, 10)).toEqual([
      '#5   cpu0 -- softirq: NET_RX raised by an interrupt, runs on cpu0 (over T)',
      '#6   cpu0 NET_RX[softirq]: addq $1500, tstats->rx_bytes    ; 0 -> 1500',
      '#7   cpu0 NET_RX[softirq]: incq tstats->rx_packets    ; 0 -> 1',
      '#8   cpu0 NET_RX[softirq]: ghost update rx_done    ; 0 -> 1',
      '     cpu0 .. NET_RX returns; T resumes',
      '#9   cpu1 -- migrate: T cpu0 -> cpu1, waits behind R (GS base 0xb000)',
    ]);
    expect(c.lines.slice(-3)).toEqual([
      '     cpu1 .. R exits; T runs',
      "#15  cpu1 T: addq $1, tstats->tx_packets    ; cpu0's copy",
      "     !! T on cpu1 writes cpu0's copy of the statistics (addq $1, tstats->tx_packets): the u64_stats writer of cpu0 is not exclusive",
    ]);
  });
});

describe('mm/swap.c: swap_fbatches', () => {
  it('the kernel\'s layout: lru_add under local_lock, lru_move_tail under local_lock_irqsave, the handler\'s large folio moved at once', () => {
    expect(passes(swapFbatchesScenario)).toBe(9);
  });

  it('PREEMPT_RT: both local locks are sleeping per-CPU locks, the handler a thread that blocks on them: nothing lost, no deadlock', () => {
    expect(passes(swapFbatchesRT)).toBe(142);
  });

  it('lru_move_tail declared above lock_irq: the macro picks local_lock(), lockdep reports the lock taken in hardirq context', () => {
    const c = caught(swapFbatchesTailBeforeLockIrq);
    expect(c.message).toBe([
      'end_io on cpu0: WARNING: inconsistent lock state', 'inconsistent {HARDIRQ-ON-W} -> {IN-HARDIRQ-W} usage.',
      'end_io/0 [HC1[1]:SC0[0]:HE0:SE1] takes:', ' (cpu_fbatches.lock), at: local_lock',
    ].join('\n'));
    expect(c.schedule).toBe('0,0,0,0,0,0,0,0,0,0,0,0,0,i0:end_io,0,0');
    expect(c.lines.slice(8, 16)).toEqual([
      '#9   cpu0 T: call local_lock(cpu_fbatches.lock)',
      '#10  cpu0 T: movb fbatch->nr, %al    ; 0',
      '#11  cpu0 T: movq %rax, fbatch->folios[0]    ; 0 -> 0x16040',
      '#12  cpu0 T: movb %al, fbatch->nr    ; 0 -> 1',
      '#13  cpu0 T: movq folio_C->flags, %rax    ; 0',
      '#14  cpu0 -- interrupt: end_io on cpu0 (over T)',
      '#15  cpu0 end_io[irq]: ghost update added    ; "A,C" -> "A,C,B"',
      '#16  cpu0 end_io[irq]: call local_lock(cpu_fbatches.lock)',
    ]);
  });
});

describe('fs/buffer.c: bh_lru', () => {
  it('bh_lru_lock() is local_irq_disable(): the IPI never lands inside bh_lru_install()', () => {
    expect(passes(bhLruScenario)).toBe(4);
  });

  it('bh_lru_lock() is preempt_disable() on SMP: the IPI releases the reference the LRU has not taken yet', () => {
    const c = caught(bhLruPreemptOnly);
    expect(c.message).toBe("bh_X's b_count is 0 while its caller still holds its reference");
    expect(c.lines.slice(0, 2)).toEqual(['#1   cpu0 T: movq b->bhs[0], %rax    ; 0', '#2   cpu0 T: movq %rax, b->bhs[0]    ; 0 -> 0x15000']);
    expect(c.lines.slice(-5)).toEqual([
      '#33  cpu0 -- interrupt: invalidate_bh_lru on cpu0 (over T)',
      '#34  cpu0 invalidate_bh_lru[irq]: movq b->bhs[0], %rax    ; 0x15000',
      '#35  cpu0 invalidate_bh_lru[irq]: movl bh_X->b_count, %eax    ; 1',
      '#36  cpu0 invalidate_bh_lru[irq]: lock decl bh_X->b_count    ; 1 -> 0',
      "     !! bh_X's b_count is 0 while its caller still holds its reference",
    ]);
  });
});

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const cwd = process.cwd();
  process.chdir(ROOT);
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((x: string | Uint8Array) => { out += String(x); return true; });
  try {
    return { code: await runExplore(args), out };
  } finally {
    o.mockRestore();
    process.chdir(cwd);
  }
}

describe('the examples are user scenario files of percpu-sim explore', () => {
  it('explore list names each file\'s scenarios, buggy or fixed', async () => {
    const names: string[] = [];
    for (const f of ['mnt_writers', 'memcg_stats', 'netstats', 'swap_fbatches', 'bh_lru']) {
      const r = await cli('list', `examples/kernel/${f}.ts`);
      expect(r.code).toBe(0);
      names.push(...[...r.out.matchAll(/^ {2}(\S+) +(buggy|fixed) /gm)].map((x) => `${x[1]} ${x[2]}`));
    }
    expect(names.sort()).toEqual([
      'bh-lru fixed', 'bh-lru-preempt-only buggy', 'memcg-stats fixed', 'memcg-stats-raw-add buggy', 'memcg-stats-raw-add-x86 fixed',
      'mnt-writers fixed', 'mnt-writers-no-write-hold buggy', 'netstats fixed', 'netstats-tx-preemptible buggy', 'swap-fbatches fixed',
      'swap-fbatches-rt fixed', 'swap-fbatches-tail-before-lock-irq buggy',
    ]);
  });

  it('a broken variant from the command line: exit 1, the trace, and a replay line that replays it', async () => {
    const r = await cli('examples/kernel/memcg_stats.ts', 'memcg-stats-raw-add');
    expect(r.code).toBe(1);
    expect(r.out).toContain('  #12  cpu0 T: str x2, [x1]    ; vmstats_percpu->state[2]: 1 -> 3\n');
    const replay = /replay: percpu-sim explore (.*)\n/.exec(r.out)![1]!;
    expect(replay).toBe('examples/kernel/memcg_stats.ts memcg-stats-raw-add --schedule 0,0,0,0,s0:NET_RX,0,0,0,0,0,0,0,0');
    const again = await cli(...replay.split(' '));
    expect(again.code).toBe(1);
    expect(again.out).toContain('VIOLATION: lost update: state[MEMCG_SOCK] sums to 3 over the CPUs, but 4 pages were charged');
  });
});
