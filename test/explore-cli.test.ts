/**
 * `percpu-sim explore`: exit status, the violation report with its replay
 * line, the summary, replay by --schedule and --seed, and usage errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseExploreArgs, progressReporter, runExplore } from '../src/cli/explore.js';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
  try {
    const code = await runExplore(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('percpu-sim explore', () => {
  it('shows a progress bar on a terminal once a run lasts half a second, and none otherwise', async () => {
    const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
    let onTty: Awaited<ReturnType<typeof run>>;
    try {
      onTty = await run('inc-irq', '--random', '60000', '--seed', '1');
    } finally {
      if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
    expect(onTty.code).toBe(0);
    expect(onTty.out).toMatch(/exploring \[[^\]]*\] \d+% \| \d+\/60000 schedules \| \d+ states \| 0 violations/);
    const piped = await run('inc-irq', '--random', '2000', '--seed', '1');
    expect(piped.out).not.toContain('exploring [');
  });

  it('a fixed scenario: exit 0 and the summary with exact counts', async () => {
    const r = await run('inc-irq', '--exhaustive');
    expect(r.code).toBe(0);
    expect(r.out).toContain('scenario:           inc-irq: this_cpu_inc from two tasks and an interrupt handler');
    expect(r.out).toContain('mode:               exhaustive, preemption bound 2, optimal DPOR (source sets + wakeup trees)\n');
    expect(r.out).toContain('schedules explored: 619 (+56 redundant paths cut short)');
    expect(r.out).toContain('distinct states:    353');
    expect(r.out).not.toContain('INCOMPLETE');
    const sleep = await run('inc-irq', '--reduction', 'sleep');
    expect(sleep.out).toContain('mode:               exhaustive, preemption bound 2, sleep-set reduction\n');
    expect(sleep.out).toContain('schedules explored: 619 (+119 redundant paths cut short)');
    expect(r.out).toContain('violations:         0');
    expect(r.out).toMatch(/time: +\d+\.\d\d s \(\d+ schedules\/s\)\ncoverage: {11}per-CPU memory by operation and context/);
    expect(r.out).toContain('  variable  operation  task  softirq  hardirq  NMI\n  counter   incl w     0 1   —        0 1      —\n');
  });

  it('a buggy scenario: exit 1, the trace and the replay line', async () => {
    const r = await run('xchg-irq-raw');
    expect(r.code).toBe(1);
    expect(r.out).toContain('VIOLATION in schedule 2 of xchg-irq-raw: lost update: value 3 was written and never came out');
    expect(r.out).toContain('  #4   cpu1 -- interrupt: ipi on cpu1 (over T2)\n');
    expect(r.out).toContain('  #5   cpu1 ipi[irq]: movl %gs:slot, %eax    ; 0\n');
    expect(r.out).toContain('  #7   cpu1 T2: movl %ecx, %gs:slot    ; 3 -> 2\n');
    expect(r.out).toContain('replay: percpu-sim explore xchg-irq-raw --schedule 0,0,1,i1:ipi,1,1,1\n');
    expect(r.out).toContain('mode:               exhaustive, preemption bound 1, optimal DPOR (source sets + wakeup trees) (stopped at the first violation)');
  });

  it('--all counts every violation; --no-reduction every interleaving', async () => {
    expect((await run('rmw-ptr', '--all')).out).toContain('violations:         103');
    const naive = await run('inc-irq', '--no-reduction');
    expect(naive.out).toContain('schedules explored: 1309\n');
    expect(naive.out).toContain('no reduction');
  });

  it('--random N --seed S, and the seed replays alone', async () => {
    const r = await run('rmw-ptr', '--random', '100', '--seed', '1');
    expect(r.code).toBe(1);
    expect(r.out).toContain('VIOLATION in schedule 2 of rmw-ptr');
    expect(r.out).toContain('    or: percpu-sim explore rmw-ptr --random 1 --seed 2\n');
    expect(r.out).toContain('mode:               random from seed 1, preemption bound 2');
    const again = await run('rmw-ptr', '--random', '1', '--seed', '2');
    expect(again.out).toContain('VIOLATION in schedule 1 of rmw-ptr');
    const trace = (s: string) => s.slice(s.indexOf('trace ('), s.indexOf('replay:'));
    expect(trace(again.out)).toBe(trace(r.out));
  });

  it('--schedule replays one schedule with its trace', async () => {
    const r = await run('rmw-ptr', '--schedule', '0,p0:T2');
    expect(r.code).toBe(1);
    expect(r.out).toContain('  #2   cpu0 -- preempt: T1 -> T2 (T1 waits on cpu0)\n');
    expect(r.out).toContain('VIOLATION: lost update: the counter sums to 1 (cpu0=1 cpu1=0), but 2 increments were done\n');
    const ok = await run('inc-irq', '--schedule', '0,0,0,0');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('no violation (4 instructions, 0 preemptions, 0 migrations, 0 interrupts)');
    const bad = await run('rmw-ptr', '--schedule', '1');
    expect(bad.code).toBe(2);
    expect(bad.err).toBe("percpu-sim explore: schedule: choice 1 '1' is not enabled at that point: cpu1 is idle\n");
  });

  it('list, and usage errors with exit 2', async () => {
    const l = await run('list');
    expect(l.code).toBe(0);
    expect(l.out).toContain('  rmw-ptr                   buggy  read/add/writeback through this_cpu_ptr() without preempt_disable\n');
    for (const [args, msg] of [
      [[], 'which scenario? (percpu-sim explore list shows them)'],
      [['nope'], "unknown scenario 'nope'; the scenarios are: inc-irq,"],
      [['inc-irq', '--random'], '--random needs a value'],
      [['inc-irq', '--random', '0'], "--random: expected an integer from 1 to 9007199254740991, got '0'"],
      [['inc-irq', '--random', '5', '--exhaustive'], '--random and --exhaustive cannot be combined'],
      [['inc-irq', '--seed', 'x'], "--seed: expected an integer from 0 to 4294967295, got 'x'"],
      [['inc-irq', '--frob'], "unknown option '--frob'"],
      [['inc-irq', 'rmw-ptr'], "one scenario at a time (got 'inc-irq' and 'rmw-ptr')"],
      [['inc-irq', '--seed', '3'], '--seed applies to --random only (the exhaustive search uses no random choices)'],
      [['inc-irq', '--schedule', '0', '--seed', '3'], '--seed applies to --random only (a --schedule replay uses no random choices)'],
      [['inc-irq', '--reduction', 'fast'], "--reduction: expected one of optimal, sleep, none, got 'fast'"],
      [['inc-irq', '--random', '5', '--max-schedules', '3'], '--max-schedules applies to the exhaustive search only, not to --random'],
      [['inc-irq', '--time-limit', '0'], "--time-limit: expected a positive number of seconds, got '0'"],
      [['inc-irq', '--jobs', '0'], "--jobs: expected an integer from 1 to 256, got '0'"],
      [['inc-irq', '--schedule', '0', '--jobs', '2'], '--jobs applies to the exhaustive search only, not to --schedule'],
      [['inc-irq', '--preemptions'], '--preemptions needs a value'],
      [['inc-irq', '--migrations', '-1'], "--migrations: expected an integer from 0 to 64, got '-1'"],
      [['inc-irq', '--irqs', '65'], "--irqs: expected an integer from 0 to 64, got '65'"],
      [['inc-irq', '--softirqs', 'x'], "--softirqs: expected an integer from 0 to 64, got 'x'"],
      [['inc-irq', '--nmis', '1.5'], "--nmis: expected an integer from 0 to 64, got '1.5'"],
    ] as const) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toContain(`percpu-sim explore: ${msg}`);
      expect(r.err).toContain('usage: percpu-sim explore <scenario | file.ts [scenario]>');
    }
  });

  it('parses the options', () => {
    expect(parseExploreArgs(['inc-irq', '--random', '7', '--seed', '9', '--bound', '3', '--all'])).toEqual({
      file: '', scenario: 'inc-irq', mode: 'random', n: 7, seed: 9, bound: 3, schedule: '', all: true, reduction: 'optimal',
      maxSchedules: Infinity, timeLimit: Infinity, jobs: 1,
      preemptions: undefined, migrations: undefined, irqs: undefined, softirqs: undefined, nmis: undefined, pct: undefined, estimate: false, checkpoint: '', svg: '', html: '',
    });
    expect(parseExploreArgs(['inc-irq', '--reduction', 'sleep', '--max-schedules', '50', '--time-limit', '2.5', '--jobs', '2'])).toEqual({
      file: '', scenario: 'inc-irq', mode: 'exhaustive', n: 0, seed: 1, bound: undefined, schedule: '', all: false, reduction: 'sleep',
      maxSchedules: 50, timeLimit: 2.5, jobs: 2,
      preemptions: undefined, migrations: undefined, irqs: undefined, softirqs: undefined, nmis: undefined, pct: undefined, estimate: false, checkpoint: '', svg: '', html: '',
    });
    expect(parseExploreArgs(['inc-irq', '--preemptions', '2', '--migrations', '0', '--irqs', '3', '--softirqs', '1', '--nmis', '0'])).toMatchObject({
      bound: undefined, preemptions: 2, migrations: 0, irqs: 3, softirqs: 1, nmis: 0,
    });
  });

  it('separate budgets: the summary says them, the replay line repeats them, and a budget that cannot apply is refused', async () => {
    const r = await run('inc-irq', '--preemptions', '1', '--migrations', '0', '--irqs', '2');
    expect(r.code).toBe(0);
    expect(r.out).toContain('mode:               exhaustive, preemption bound 1, optimal DPOR (source sets + wakeup trees)\n');
    expect(r.out).toContain("budgets:            preemptions + migrations ≤ 1 (preemptions ≤ 1, migrations ≤ 0); interrupts ≤ 2; injected softirqs, NMIs: each handler's own budget per schedule\n");
    const d = await run('inc-irq');
    expect(d.out).toContain("budgets:            preemptions + migrations ≤ 2; interrupts, injected softirqs, NMIs: each handler's own budget per schedule\n");
    const v = await run('rmw-ptr', '--preemptions', '1', '--migrations', '0');
    expect(v.code).toBe(1);
    expect(v.out).toContain('replay: percpu-sim explore rmw-ptr --schedule 0,0,p0:T2,0,0,0,0 --preemptions 1 --migrations 0\n');
    const again = await run('rmw-ptr', '--schedule', '0,0,p0:T2,0,0,0,0', '--preemptions', '1', '--migrations', '0');
    expect(again.out).toContain('VIOLATION: lost update: the counter sums to 1 (cpu0=1 cpu1=0), but 2 increments were done\n');
    const past = await run('rmw-ptr', '--schedule', '0,p0:T2,0,p0:T1', '--preemptions', '1');
    expect(past.code).toBe(2);
    expect(past.err).toBe("percpu-sim explore: schedule: choice 4 'p0:T1' is not enabled at that point: the preemption budget 1 is used up\n");
    const rnd = await run('rmw-ptr', '--random', '50', '--seed', '1', '--migrations', '0');
    expect(rnd.out).toContain('    or: percpu-sim explore rmw-ptr --random 1 --seed 1 --migrations 0\n');
    const over = await run('inc-irq', '--preemptions', '3');
    expect(over.code).toBe(2);
    expect(over.err).toBe('percpu-sim explore: explore: preemptions 3 exceeds the bound 2 on preemptions + migrations together, so it could never be used; raise the bound\n');
    const none = await run('rmw-ptr', '--nmis', '1');
    expect(none.code).toBe(2);
    expect(none.err).toBe('percpu-sim explore: scheduler: a budget of 1 nmis was given, but the world has no NMI handler (World.nmis)\n');
  });

  it('--pct D --random N: PCT runs, the guarantee in the summary, a replay by seed', async () => {
    const r = await run('rmw-ptr', '--pct', '2', '--random', '50', '--seed', '1');
    expect(r.code).toBe(1);
    expect(r.out).toContain('VIOLATION in schedule 4 of rmw-ptr: lost update');
    expect(r.out).toContain('    or: percpu-sim explore rmw-ptr --pct 2 --random 1 --seed 4\n');
    expect(r.out).toContain('mode:               PCT depth 2 from seed 1, preemption bound 2\n'
      + 'guarantee:          2 agents, k = 6 instructions: one run finds a depth-2 bug with probability ≥ 1/12; 4 runs miss it with probability ≤ 0.706\n');
    const again = await run('rmw-ptr', '--pct', '2', '--random', '1', '--seed', '4');
    const trace = (s: string) => s.slice(s.indexOf('trace ('), s.indexOf('replay:'));
    expect(trace(again.out)).toBe(trace(r.out));
    const ok = await run('inc-irq', '--pct', '3', '--random', '100');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('guarantee:          3 agents, k = 4 instructions: one run finds a depth-3 bug with probability ≥ 1/48; 100 runs miss it with probability ≤ 0.122\n');
  });

  it('--estimate prints the estimate before the search', async () => {
    const r = await run('inc-irq', '--estimate');
    expect(r.code).toBe(0);
    expect(r.out.startsWith('estimate:           about 709 schedules ±15 % (200 random probes; the naive search: about 1009)\nscenario:           inc-irq')).toBe(true);
    expect(r.out).toContain('schedules explored: 619');
  });

  it('--checkpoint FILE: a run cut by a limit says where it saved, the same command goes on', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'percpu-cli-')), 'cp.json');
    try {
      const a = await run('inc-irq', '--checkpoint', file, '--max-schedules', '500');
      expect(a.out).toContain(`INCOMPLETE:         --max-schedules 500 reached: the bounded space was not covered; no violation in 500 schedules proves nothing about the rest\ncheckpoint:         ${file} saved: the same command goes on from there\n`);
      const b = await run('inc-irq', '--checkpoint', file);
      expect(b.code).toBe(0);
      expect(b.out).toContain(`resumed:            from ${file}, where 500 schedules had been explored\nschedules explored: 619 (+56 redundant paths cut short)\ndistinct states:    353\n`);
      expect(b.out).not.toContain('INCOMPLETE');
    } finally {
      rmSync(dirname(file), { recursive: true, force: true });
    }
    expect(parseExploreArgs(['inc-irq', '--checkpoint', 'f.json']).checkpoint).toBe('f.json');
    expect(() => parseExploreArgs(['inc-irq', '--checkpoint'])).toThrow('--checkpoint needs a file name');
    expect(() => parseExploreArgs(['inc-irq', '--checkpoint', 'f.json', '--jobs', '2'])).toThrow('--checkpoint works with --jobs 1 (a checkpoint saves one depth-first walk)');
    expect(() => parseExploreArgs(['inc-irq', '--checkpoint', 'f.json', '--random', '2'])).toThrow('--checkpoint applies to the exhaustive search only, not to --random');
  });

  it('--max-schedules and --time-limit end with an honest INCOMPLETE line', async () => {
    const r = await run('inc-irq', '--max-schedules', '50');
    expect(r.code).toBe(0);
    expect(r.out).toContain('schedules explored: 50');
    expect(r.out).toContain(
      'INCOMPLETE:         --max-schedules 50 reached: the bounded space was not covered; no violation in 50 schedules proves nothing about the rest\n',
    );
    const t = await run('inc-irq', '--time-limit', '0.001');
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/INCOMPLETE: {9}--time-limit 0\.001 s reached: the bounded space was not covered; no violation in \d+ schedules proves nothing about the rest\n/);
  });

  it('off a terminal, progress goes to stderr as a line every few seconds', () => {
    let err = '';
    const sink = { write: (s: string) => { err += s; } };
    const p = progressReporter('exhaustive', null, false, sink, 3000);
    const at = (schedules: number, elapsedMs: number) => p.update({ schedules, states: 0, violations: 1, elapsedMs, total: null });
    at(64, 1000);
    expect(err).toBe('');
    at(128, 3100);
    at(192, 4000);
    at(256, 6200);
    p.stop();
    expect(err).toBe('explore: 128 schedules, 1 violations, 3.1 s\nexplore: 256 schedules, 1 violations, 6.2 s\n');
    let rnd = '';
    const q = progressReporter('random', 1000, false, { write: (s: string) => { rnd += s; } }, 3000);
    q.update({ schedules: 640, states: 0, violations: 0, elapsedMs: 3000, total: 1000 });
    expect(rnd).toBe('explore: 640 of 1000 schedules, 0 violations, 3.0 s\n');
  });
});
