/**
 * --checkpoint FILE: a run stopped by a limit saves where it was; a run with
 * the same file goes on from there and, together, they explore exactly the
 * schedules of one uninterrupted run, in the same order, with the same counts
 * and violations. The file is replaced atomically, another search's or a
 * damaged file is refused, and a finished search is not run again.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exploreExhaustive, type ExploreOptions, type Reduction } from '../src/explore/explorer.js';
import { exploreParallel } from '../src/explore/parallel.js';
import { incIrq, rmwPtr } from '../src/explore/scenarios/index.js';
import type { Scenario } from '../src/sched/task.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'percpu-checkpoint-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(s: Scenario, o: ExploreOptions): { r: ReturnType<typeof exploreExhaustive>; ran: string[] } {
  const ran: string[] = [];
  const r = exploreExhaustive(s, { traceViolations: false, ...o, onSchedule: (x, v) => ran.push(`${x} ${v}`) });
  return { r, ran };
}

describe('checkpoint and resume', () => {
  it.each(['optimal', 'sleep', 'none'] as Reduction[])('%s: stopped every 300 schedules and resumed, the same schedules in the same order as one run', (reduction) => {
    const whole = run(incIrq, { reduction, maxViolations: Infinity });
    const file = join(dir, 'cp.json');
    const ran: string[] = [];
    let last = whole.r;
    let pieces = 0;
    for (;;) {
      const part = run(incIrq, { reduction, maxViolations: Infinity, checkpoint: file, maxSchedules: 300 * (pieces + 1) });
      ran.push(...part.ran);
      pieces++;
      last = part.r;
      if (part.r.complete) break;
      expect(part.r.stopped).toBe('max-schedules');
      expect(JSON.parse(readFileSync(file, 'utf8')).complete).toBe(false);
    }
    expect(pieces).toBe(Math.ceil(whole.r.schedules / 300));
    expect(ran).toEqual(whole.ran);
    expect([last.schedules, last.sleepBlocked, last.transitions, last.distinctStates]).toEqual([whole.r.schedules, whole.r.sleepBlocked, whole.r.transitions, whole.r.distinctStates]);
    expect(last.resumedFrom).toBe(300 * (pieces - 1));
    // A finished search is not run again: the file says so and the result comes back at once.
    expect(JSON.parse(readFileSync(file, 'utf8')).complete).toBe(true);
    const again = run(incIrq, { reduction, maxViolations: Infinity, checkpoint: file });
    expect(again.ran).toEqual([]);
    expect([again.r.schedules, again.r.complete]).toEqual([whole.r.schedules, true]);
  });

  it('violations found before the checkpoint are kept, with their index; the next run finds the next one', () => {
    const whole = run(rmwPtr, { maxViolations: 3 });
    const file = join(dir, 'v.json');
    const first = run(rmwPtr, { maxViolations: 3, checkpoint: file, maxSchedules: 5 });
    const rest = run(rmwPtr, { maxViolations: 3, checkpoint: file });
    expect([...first.ran, ...rest.ran]).toEqual(whole.ran);
    expect(rest.r.violations.map((v) => [v.index, v.schedule, v.message])).toEqual(whole.r.violations.map((v) => [v.index, v.schedule, v.message]));
  });

  it('writes atomically (no temporary file is left) and refuses another search or a damaged file', () => {
    const file = join(dir, 'a.json');
    run(incIrq, { checkpoint: file, maxSchedules: 10 });
    expect(readdirSync(dir)).toEqual(['a.json']);
    const before = readFileSync(file, 'utf8');
    expect(() => run(incIrq, { checkpoint: file, reduction: 'sleep' })).toThrow(
      `explore: checkpoint ${file} belongs to another search (scenario inc-irq, optimal, preemptions + migrations ≤ 2; interrupts, injected softirqs, NMIs: each handler's own budget per schedule, stop after 1 violation); `
      + "this one is (scenario inc-irq, sleep, preemptions + migrations ≤ 2; interrupts, injected softirqs, NMIs: each handler's own budget per schedule, stop after 1 violation): "
      + 'delete the file or run with the options it was written with',
    );
    expect(() => run(rmwPtr, { checkpoint: file })).toThrow(`explore: checkpoint ${file} belongs to another search (scenario inc-irq,`);
    expect(() => run(incIrq, { checkpoint: file, bound: 1 })).toThrow('belongs to another search');
    expect(readFileSync(file, 'utf8')).toBe(before);
    writeFileSync(file, '{"format": "percpu-ts explore checkpoint 2", ');
    expect(() => run(incIrq, { checkpoint: file })).toThrow(`explore: checkpoint ${file} cannot be read (`);
    writeFileSync(file, '{"format": "something else"}');
    expect(() => run(incIrq, { checkpoint: file })).toThrow(`explore: ${file} is not a checkpoint of this explorer (expected "percpu-ts explore checkpoint 2"); delete it or name another file`);
    // A walk saved under the relation before a CPU's runqueue was split from what runs on it.
    writeFileSync(file, '{"format": "percpu-ts explore checkpoint 1"}');
    expect(() => run(incIrq, { checkpoint: file })).toThrow(`explore: ${file} is not a checkpoint of this explorer (expected "percpu-ts explore checkpoint 2"); delete it or name another file`);
    expect(() => run(incIrq, { checkpoint: '' })).toThrow('explore: checkpoint must be a file name, got ""');
    expect(() => run(incIrq, { checkpoint: join(dir, 'b.json'), checkpointEveryMs: 0 })).toThrow('explore: checkpointEveryMs must be a positive number, got 0');
    expect(existsSync(join(dir, 'b.json'))).toBe(false);
  });

  it('saves periodically during a long task, and a run cut there resumes to the same totals', () => {
    const whole = run(incIrq, { maxViolations: Infinity });
    const file = join(dir, 'p.json');
    const first = run(incIrq, { maxViolations: Infinity, checkpoint: file, checkpointEveryMs: 1, maxSchedules: 400 });
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.current.schedules + saved.merged.schedules).toBe(400);
    const rest = run(incIrq, { maxViolations: Infinity, checkpoint: file, checkpointEveryMs: 1 });
    expect([...first.ran, ...rest.ran]).toEqual(whole.ran);
  });

  it('the parallel search takes no checkpoint', async () => {
    await expect(exploreParallel(incIrq, { jobs: 2, checkpoint: join(dir, 'x.json') })).rejects.toThrow('explore: checkpoint works with jobs 1 (a checkpoint saves one depth-first walk)');
  });
});
