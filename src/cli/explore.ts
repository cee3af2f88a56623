/**
 * `percpu-sim explore <scenario> [--exhaustive | --random N] [--seed S] [--bound K]
 *                     [--schedule STR] [--all] [--no-reduction]`
 *
 *   explore list                 the shipped scenarios and what each shows
 *   --exhaustive                 every schedule within the bound (the default)
 *   --random N                   N seeded random schedules (seeds S, S+1, …; S defaults to 1)
 *   --seed S                     with --random: the first seed; a failing schedule replays with --random 1 --seed <its seed>
 *   --schedule STR               replay one schedule string (as printed with a violation) and print its trace
 *   --bound K                    preemptions + migrations per schedule (default: the scenario's)
 *   --all                        do not stop at the first violation; count them all
 *   --no-reduction               exhaustive without sleep sets (every interleaving)
 *
 * Exit status: 0 when no violation was found, 1 when one was, 2 for bad usage.
 */
import cliProgress from 'cli-progress';
import {
  exploreExhaustive, exploreRandom, formatTrace, formatViolation, runSchedule, type ExploreResult, type Progress,
} from '../explore/explorer.js';
import { SCENARIOS, getScenario } from '../explore/scenarios/index.js';
import type { Scenario } from '../sched/task.js';

const USAGE = 'usage: percpu-sim explore <scenario> [--exhaustive | --random N] [--seed S] [--bound K] [--schedule STR] [--all] [--no-reduction]\n'
  + '       percpu-sim explore list';

interface Args {
  scenario: string;
  mode: 'exhaustive' | 'random' | 'replay';
  n: number;
  seed: number;
  bound: number | undefined;
  schedule: string;
  all: boolean;
  reduction: boolean;
}

class UsageError extends Error {}

function intArg(flag: string, v: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) throw new UsageError(`${flag} needs a value`);
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`${flag}: expected an integer from ${min} to ${max}, got '${v}'`);
  }
  return Number(v);
}

export function parseExploreArgs(args: readonly string[]): Args {
  const out: Args = { scenario: '', mode: 'exhaustive', n: 0, seed: 1, bound: undefined, schedule: '', all: false, reduction: true };
  let modeFlag = '';
  const setMode = (flag: string, mode: Args['mode']): void => {
    if (modeFlag !== '' && modeFlag !== flag) throw new UsageError(`${modeFlag} and ${flag} cannot be combined`);
    modeFlag = flag;
    out.mode = mode;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    switch (a) {
      case '--exhaustive': setMode(a, 'exhaustive'); break;
      case '--random': setMode(a, 'random'); out.n = intArg(a, args[++i], 1); break;
      case '--seed': out.seed = intArg(a, args[++i], 0, 0xffffffff); break;
      case '--bound': out.bound = intArg(a, args[++i], 0, 64); break;
      case '--schedule': {
        setMode(a, 'replay');
        const v = args[++i];
        if (v === undefined) throw new UsageError('--schedule needs a schedule string (as printed after "replay:")');
        out.schedule = v;
        break;
      }
      case '--all': out.all = true; break;
      case '--no-reduction': out.reduction = false; break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
        if (out.scenario !== '') throw new UsageError(`one scenario at a time (got '${out.scenario}' and '${a}')`);
        out.scenario = a;
    }
  }
  if (out.scenario === '') throw new UsageError('which scenario? (percpu-sim explore list shows them)');
  return out;
}

function listScenarios(): string {
  const w = Math.max(...SCENARIOS.map((s) => s.name.length));
  return SCENARIOS.map((s) => `  ${s.name.padEnd(w)}  ${s.expect === 'violation' ? 'buggy ' : 'fixed '} ${s.title}`).join('\n');
}

/** A progress bar on stdout, only for a TTY and only once the run has lasted half a second. */
function progressBar(mode: Args['mode'], total: number | null): { update: (p: Progress) => void; stop: () => void } {
  if (!process.stdout.isTTY || mode === 'replay') return { update: () => {}, stop: () => {} };
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(p) {
      if (bar === null) {
        if (p.elapsedMs < 500) return;
        const format = total === null
          ? 'exploring | {value} schedules | {states} states | {violations} violations | {duration}s'
          : 'exploring [{bar}] {percentage}% | {value}/{total} schedules | {states} states | {violations} violations | {duration}s';
        bar = new cliProgress.SingleBar({ format, stream: process.stdout, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
        bar.start(total ?? 0, p.schedules, { states: p.states, violations: p.violations });
      }
      bar.update(p.schedules, { states: p.states, violations: p.violations });
    },
    stop() {
      bar?.stop();
    },
  };
}

function summary(s: Scenario, r: ExploreResult, seed: number): string {
  const secs = r.elapsedMs / 1000;
  const rate = secs > 0 ? Math.round(r.schedules / secs) : r.schedules;
  const mode = r.mode === 'exhaustive'
    ? `exhaustive, preemption bound ${r.bound}, ${r.reduction ? 'sleep-set reduction' : 'no reduction'}${r.complete ? '' : ' (stopped early)'}`
    : `random from seed ${seed}, preemption bound ${r.bound}`;
  const blocked = r.sleepBlocked > 0 ? ` (+${r.sleepBlocked} redundant paths cut by sleep sets)` : '';
  return [
    `scenario:           ${s.name}: ${s.title}`,
    `mode:               ${mode}`,
    `schedules explored: ${r.schedules}${blocked}`,
    `distinct states:    ${r.distinctStates}`,
    `violations:         ${r.violations.length}`,
    `time:               ${secs.toFixed(2)} s (${rate} schedules/s)`,
  ].join('\n');
}

export async function runExplore(args: string[]): Promise<number> {
  if (args[0] === 'list') {
    process.stdout.write(`scenarios:\n${listScenarios()}\n`);
    return 0;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\nscenarios:\n${listScenarios()}\n`);
    return 0;
  }
  let a: Args;
  let s: Scenario;
  try {
    a = parseExploreArgs(args);
    s = getScenario(a.scenario);
  } catch (e) {
    process.stderr.write(`percpu-sim explore: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const maxViolations = a.all ? Infinity : 1;
  try {
    if (a.mode === 'replay') {
      const sch = runSchedule(s, a.schedule, { bound: a.bound });
      process.stdout.write(`scenario ${s.name}: replaying ${sch.schedule.length} choices\n${formatTrace(sch.trace)}\n`);
      if (sch.violation !== null) {
        process.stdout.write(`VIOLATION: ${sch.violation}\n`);
        return 1;
      }
      process.stdout.write(`no violation (${sch.steps} instructions, ${sch.preemptions} preemptions, ${sch.migrations} migrations, ${sch.interrupts} interrupts)\n`);
      return 0;
    }
    const bar = progressBar(a.mode, a.mode === 'random' ? a.n : null);
    let r: ExploreResult;
    try {
      r = a.mode === 'random'
        ? exploreRandom(s, a.n, a.seed, { bound: a.bound, maxViolations, onProgress: bar.update })
        : exploreExhaustive(s, { bound: a.bound, maxViolations, reduction: a.reduction, onProgress: bar.update });
    } finally {
      bar.stop();
    }
    if (r.violations.length > 0) process.stdout.write(`${formatViolation(s, r.violations[0]!, r.bound)}\n\n`);
    process.stdout.write(`${summary(s, r, a.seed)}\n`);
    return r.violations.length > 0 ? 1 : 0;
  } catch (e) {
    process.stderr.write(`percpu-sim explore: ${(e as Error).message}\n`);
    return 2;
  }
}
