/**
 * `percpu-sim explore <scenario | file.ts [scenario]> [--exhaustive | --random N] [--seed S] [--bound K]
 *                     [--schedule STR] [--all] [--reduction optimal|sleep|none]
 *                     [--max-schedules N] [--time-limit S] [--jobs N]
 *                     [--preemptions K] [--migrations K] [--irqs K] [--softirqs K] [--nmis K] [--pct D] [--estimate]
 *                     [--checkpoint FILE] [--svg FILE] [--html FILE]`
 *
 *   explore list [file.ts]       the shipped scenarios (or those a user file exports) and what each shows
 *   file.ts [scenario]           a scenario exported by a user's TypeScript file (the only one, or the one named)
 *   --exhaustive                 every schedule within the bound (the default)
 *   --random N                   N seeded random schedules (seeds S, S+1, …; S defaults to 1)
 *   --seed S                     with --random only: the first seed; a failing schedule replays with --random 1 --seed <its seed>
 *   --pct D                      with --random N: N runs of PCT for bugs of depth D (priorities and D−1 change points)
 *   --schedule STR               replay one schedule string (as printed with a violation) and print its trace
 *   --bound K                    preemptions + migrations per schedule (default: the sum of --preemptions and
 *                                --migrations when both are given, else the scenario's)
 *   --preemptions K              at most K preemptions per schedule (within the bound)
 *   --migrations K               at most K migrations per schedule (within the bound)
 *   --irqs K                     at most K hardirq deliveries per schedule, all handlers together (replaces each
 *                                handler's own budget)
 *   --softirqs K                 at most K injected softirqs per schedule (likewise)
 *   --nmis K                     at most K NMIs per schedule (likewise)
 *   --all                        do not stop at the first violation; count them all
 *   --reduction R                exhaustive: optimal DPOR (default), sleep sets, or none (every interleaving)
 *   --no-reduction               the same as --reduction none
 *   --max-schedules N            exhaustive: stop after N schedules (the summary says the search is incomplete)
 *   --time-limit S               exhaustive: stop after S seconds (likewise)
 *   --jobs N                     exhaustive: N threads, the main one and N - 1 workers (shipped scenarios); same results as --jobs 1, sooner
 *   --estimate                   exhaustive: first print an estimate of the schedules (random probes), then explore
 *   --checkpoint FILE            exhaustive: save progress to FILE (every 10 s and when the run stops early) and go on
 *                                from it when it exists; replaced atomically; with --jobs 1
 *   --svg FILE                   draw the first violation (or the --schedule replayed): one lane per CPU
 *   --html FILE                  the same picture with the text trace, as an HTML page
 *
 * The summary ends with the coverage table: for each per-CPU variable, each
 * operation and each context, the CPUs that ran it (explore/coverage.ts).
 *
 * Progress: a bar on stdout when it is a terminal; otherwise a line on stderr
 * every few seconds, so a long run in a pipe or a CI log shows it is alive.
 *
 * Exit status: 0 when no violation was found, 1 when one was, 2 for bad usage.
 */
import cliProgress from 'cli-progress';
import { writeFileSync } from 'node:fs';
import {
  REDUCTIONS, exploreRandom, formatTrace, formatViolation, runSchedule, type ExploreResult, type Progress, type Reduction,
} from '../explore/explorer.js';
import { coverageRows, formatCoverage } from '../explore/coverage.js';
import { estimateSchedules, type Estimate } from '../explore/estimate.js';
import { exploreParallel } from '../explore/parallel.js';
import { MAX_PCT_DEPTH, explorePct, pctBound } from '../explore/pct.js';
import { renderHtml, renderSvg, violationPicture, type Picture } from '../explore/svg.js';
import { LARGE_SCENARIOS, SCENARIOS, getScenario } from '../explore/scenarios/index.js';
import type { Scenario } from '../sched/task.js';
import { MAX_BUDGET, formatBudgets } from '../sched/budget.js';
import { importUserModule } from './import-user-module.js';

const USAGE = 'usage: percpu-sim explore <scenario | file.ts [scenario]> [--exhaustive | --random N] [--seed S] [--bound K] [--schedule STR] [--all]\n'
  + '                               [--reduction optimal|sleep|none] [--max-schedules N] [--time-limit S] [--jobs N]\n'
  + '                               [--preemptions K] [--migrations K] [--irqs K] [--softirqs K] [--nmis K] [--pct D --random N] [--estimate]\n'
  + '                               [--checkpoint FILE] [--svg FILE] [--html FILE]\n'
  + '       percpu-sim explore list [file.ts]';

/** A positional argument that names a user's file rather than a shipped scenario. */
function isFile(arg: string): boolean {
  return /\.[cm]?[jt]s$/.test(arg) || arg.includes('/') || arg.includes('\\');
}

interface Args {
  /** A user's scenario file, or '' for the shipped scenarios. */
  file: string;
  scenario: string;
  mode: 'exhaustive' | 'random' | 'replay';
  n: number;
  seed: number;
  bound: number | undefined;
  /** The separate budgets (undefined: not given). */
  preemptions: number | undefined;
  migrations: number | undefined;
  irqs: number | undefined;
  softirqs: number | undefined;
  nmis: number | undefined;
  /** Exhaustive: print an estimate of the schedules before exploring. */
  estimate: boolean;
  /** Exhaustive: the checkpoint file ('' for none). */
  checkpoint: string;
  /** Where to draw the violation (or the replayed schedule): SVG, HTML ('' for none). */
  svg: string;
  html: string;
  /** With --random: the PCT depth (undefined: uniform random choices). */
  pct: number | undefined;
  schedule: string;
  all: boolean;
  reduction: Reduction;
  /** Exhaustive: stop after this many schedules (Infinity: no limit). */
  maxSchedules: number;
  /** Exhaustive: stop after this many seconds (Infinity: no limit). */
  timeLimit: number;
  /** Exhaustive: worker threads. */
  jobs: number;
}

class UsageError extends Error {}

function intArg(flag: string, v: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) throw new UsageError(`${flag} needs a value`);
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`${flag}: expected an integer from ${min} to ${max}, got '${v}'`);
  }
  return Number(v);
}

function fileArg(flag: string, v: string | undefined): string {
  if (v === undefined || v === '' || v.startsWith('-')) throw new UsageError(`${flag} needs a file name`);
  return v;
}

export function parseExploreArgs(args: readonly string[]): Args {
  const out: Args = {
    file: '', scenario: '', mode: 'exhaustive', n: 0, seed: 1, bound: undefined,
    preemptions: undefined, migrations: undefined, irqs: undefined, softirqs: undefined, nmis: undefined, pct: undefined,
    estimate: false, checkpoint: '', svg: '', html: '', schedule: '', all: false, reduction: 'optimal', maxSchedules: Infinity, timeLimit: Infinity, jobs: 1,
  };
  let modeFlag = '';
  let seedGiven = false;
  const exhaustiveOnly: string[] = [];
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
      case '--seed': out.seed = intArg(a, args[++i], 0, 0xffffffff); seedGiven = true; break;
      case '--bound': out.bound = intArg(a, args[++i], 0, MAX_BUDGET); break;
      case '--preemptions': out.preemptions = intArg(a, args[++i], 0, MAX_BUDGET); break;
      case '--migrations': out.migrations = intArg(a, args[++i], 0, MAX_BUDGET); break;
      case '--irqs': out.irqs = intArg(a, args[++i], 0, MAX_BUDGET); break;
      case '--softirqs': out.softirqs = intArg(a, args[++i], 0, MAX_BUDGET); break;
      case '--nmis': out.nmis = intArg(a, args[++i], 0, MAX_BUDGET); break;
      case '--pct': out.pct = intArg(a, args[++i], 1, MAX_PCT_DEPTH); break;
      case '--estimate': out.estimate = true; exhaustiveOnly.push(a); break;
      case '--checkpoint': out.checkpoint = fileArg(a, args[++i]); exhaustiveOnly.push(a); break;
      case '--svg': out.svg = fileArg(a, args[++i]); break;
      case '--html': out.html = fileArg(a, args[++i]); break;
      case '--schedule': {
        setMode(a, 'replay');
        const v = args[++i];
        if (v === undefined) throw new UsageError('--schedule needs a schedule string (as printed after "replay:")');
        out.schedule = v;
        break;
      }
      case '--all': out.all = true; break;
      case '--no-reduction': out.reduction = 'none'; exhaustiveOnly.push(a); break;
      case '--reduction': {
        const v = args[++i];
        if (v === undefined || !(REDUCTIONS as readonly string[]).includes(v)) {
          throw new UsageError(`--reduction: expected one of ${REDUCTIONS.join(', ')}, got ${v === undefined ? 'nothing' : `'${v}'`}`);
        }
        out.reduction = v as Reduction;
        exhaustiveOnly.push(a);
        break;
      }
      case '--max-schedules': out.maxSchedules = intArg(a, args[++i], 1); exhaustiveOnly.push(a); break;
      case '--jobs': out.jobs = intArg(a, args[++i], 1, 256); exhaustiveOnly.push(a); break;
      case '--time-limit': {
        const v = args[++i];
        if (v === undefined) throw new UsageError('--time-limit needs a value');
        if (!/^\d+(\.\d+)?$/.test(v) || !(Number(v) > 0)) throw new UsageError(`--time-limit: expected a positive number of seconds, got '${v}'`);
        out.timeLimit = Number(v);
        exhaustiveOnly.push(a);
        break;
      }
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
        if (out.file === '' && out.scenario === '' && isFile(a)) {
          out.file = a;
          break;
        }
        if (out.scenario !== '') throw new UsageError(`one scenario at a time (got '${out.scenario}' and '${a}')`);
        out.scenario = a;
    }
  }
  if (out.scenario === '' && out.file === '') throw new UsageError('which scenario? (percpu-sim explore list shows them)');
  // Options that would be ignored are refused, so nobody believes they took effect.
  if (seedGiven && out.mode !== 'random') {
    throw new UsageError(`--seed applies to --random only (${out.mode === 'replay' ? 'a --schedule replay' : 'the exhaustive search'} uses no random choices)`);
  }
  if (out.pct !== undefined && out.mode !== 'random') {
    throw new UsageError(`--pct D needs --random N (the number of PCT runs)${out.mode === 'replay' ? ', not --schedule' : ''}`);
  }
  if (out.checkpoint !== '' && out.jobs > 1) throw new UsageError('--checkpoint works with --jobs 1 (a checkpoint saves one depth-first walk)');
  if (exhaustiveOnly.length > 0 && out.mode !== 'exhaustive') {
    throw new UsageError(`${exhaustiveOnly[0]} applies to the exhaustive search only, not to ${modeFlag}`);
  }
  return out;
}

function listScenarios(list: readonly Scenario[] = [...SCENARIOS, ...LARGE_SCENARIOS]): string {
  const w = Math.max(...list.map((s) => s.name.length));
  return list.map((s) => `  ${s.name.padEnd(w)}  ${s.expect === 'violation' ? 'buggy ' : 'fixed '} ${s.title}`).join('\n');
}

function isScenario(v: unknown): v is Scenario {
  if (v === null || typeof v !== 'object') return false;
  const s = v as Partial<Scenario>;
  return typeof s.name === 'string' && typeof s.build === 'function' && typeof s.cpus === 'number';
}

/** The scenarios a user's file exports (directly, or in exported arrays), in export order, each once. */
export async function userScenarios(file: string): Promise<Scenario[]> {
  let mod: Record<string, unknown>;
  try {
    mod = await importUserModule(file);
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
  const out: Scenario[] = [];
  for (const v of Object.values(mod)) {
    for (const x of Array.isArray(v) ? v : [v]) if (isScenario(x) && !out.includes(x)) out.push(x);
  }
  if (out.length === 0) {
    throw new UsageError(`${file} exports no scenario (an object with name, title, description, expect, cpus and build(); see docs/explorer.md)`);
  }
  const names = out.map((s) => s.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new UsageError(`${file} exports two scenarios named '${dup}'`);
  return out;
}

/** The scenario the arguments name, and what follows `percpu-sim explore` to name it again (for replay lines). */
async function resolveScenario(a: Args): Promise<{ s: Scenario; target: string }> {
  if (a.file === '') return { s: getScenario(a.scenario), target: a.scenario };
  const list = await userScenarios(a.file);
  if (a.scenario === '') {
    if (list.length > 1) {
      throw new UsageError(`${a.file} exports ${list.length} scenarios (${list.map((s) => s.name).join(', ')}): name one, percpu-sim explore ${a.file} <scenario>`);
    }
    return { s: list[0]!, target: a.file };
  }
  const s = list.find((x) => x.name === a.scenario);
  if (s === undefined) throw new UsageError(`${a.file} has no scenario '${a.scenario}'; it exports: ${list.map((x) => x.name).join(', ')}`);
  return { s, target: `${a.file} ${a.scenario}` };
}

/** How often a run that is not on a terminal reports its progress on stderr. */
export const PROGRESS_LINE_MS = 3000;

interface ProgressSink {
  update: (p: Progress) => void;
  stop: () => void;
}

/**
 * Progress of a run: on a terminal, a bar on stdout once the run has lasted
 * half a second; otherwise (a pipe, a log) one line on `err` every `everyMs`,
 * so a long search shows it is alive without a bar's control characters.
 */
export function progressReporter(
  mode: Args['mode'], total: number | null, tty: boolean, err: { write(s: string): unknown }, everyMs = PROGRESS_LINE_MS,
): ProgressSink {
  if (mode === 'replay') return { update: () => {}, stop: () => {} };
  if (!tty) {
    let next = everyMs;
    return {
      update(p) {
        if (p.elapsedMs < next) return;
        next = p.elapsedMs + everyMs;
        const of = total === null ? '' : ` of ${total}`;
        err.write(`explore: ${p.schedules}${of} schedules, ${p.violations} violations, ${(p.elapsedMs / 1000).toFixed(1)} s\n`);
      },
      stop: () => {},
    };
  }
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

/** The estimate line printed before an exhaustive run. */
export function formatEstimate(e: Estimate): string {
  const err = e.relativeError === Infinity ? '' : ` ±${Math.round(e.relativeError * 100)} %`;
  return `estimate:           about ${Math.round(e.schedules)} schedules${err} (${e.probes} random probes; the naive search: about ${Math.round(e.naive)})`;
}

const REDUCTION_TEXT: Record<Reduction, string> = {
  optimal: 'optimal DPOR (source sets + wakeup trees)',
  sleep: 'sleep-set reduction',
  none: 'no reduction',
};

function summary(s: Scenario, r: ExploreResult, seed: number, a: Args): string {
  const secs = r.elapsedMs / 1000;
  const here = r.schedules - (r.resumedFrom ?? 0);
  const rate = secs > 0 ? Math.round(here / secs) : here;
  let mode = r.mode === 'exhaustive'
    ? `exhaustive, preemption bound ${r.bound}, ${REDUCTION_TEXT[r.reduction]}${r.stopped === 'violations' ? ' (stopped at the first violation)' : ''}`
    : `random from seed ${seed}, preemption bound ${r.bound}`;
  if (r.pct !== undefined) {
    const { depth, steps, agents } = r.pct;
    const p = pctBound(agents, steps, depth);
    mode = `PCT depth ${depth} from seed ${seed}, preemption bound ${r.bound}\n`
      + `guarantee:          ${agents} agents, k = ${steps} instruction${steps === 1 ? '' : 's'}: one run finds a depth-${depth} bug with probability ≥ 1/${Math.round(1 / p)}`
      + `; ${r.schedules} runs miss it with probability ≤ ${((1 - p) ** r.schedules).toPrecision(3)}`;
  }
  const blocked = r.sleepBlocked > 0 ? ` (+${r.sleepBlocked} redundant paths cut short)` : '';
  const lines = [
    `scenario:           ${s.name}: ${s.title}`,
    `mode:               ${mode}`,
    `budgets:            ${formatBudgets(r.budgets)}`,
    ...(r.resumedFrom === undefined ? [] : [`resumed:            from ${a.checkpoint}, where ${r.resumedFrom} schedules had been explored`]),
    `schedules explored: ${r.schedules}${blocked}`,
    `distinct states:    ${r.distinctStates}`,
    `violations:         ${r.violations.length}`,
    `time:               ${secs.toFixed(2)} s (${rate} schedules/s)`,
  ];
  if (r.stopped === 'max-schedules' || r.stopped === 'time-limit') {
    const why = r.stopped === 'max-schedules' ? `--max-schedules ${a.maxSchedules} reached` : `--time-limit ${a.timeLimit} s reached`;
    lines.push(`INCOMPLETE:         ${why}: the bounded space was not covered; no violation in ${r.schedules} schedules proves nothing about the rest`);
    if (a.checkpoint !== '') lines.push(`checkpoint:         ${a.checkpoint} saved: the same command goes on from there`);
  }
  return lines.join('\n');
}

/** Writes the picture where --svg and --html ask, and says so. */
function draw(a: Args, p: Picture): void {
  if (a.svg !== '') {
    writeFileSync(a.svg, renderSvg(p));
    process.stdout.write(`picture: ${a.svg}\n`);
  }
  if (a.html !== '') {
    writeFileSync(a.html, renderHtml(p));
    process.stdout.write(`report: ${a.html}\n`);
  }
}

export async function runExplore(args: string[]): Promise<number> {
  if (args[0] === 'list') {
    try {
      if (args.length > 2 || (args[1] !== undefined && !isFile(args[1]))) throw new UsageError('list takes one scenario file at most: percpu-sim explore list [file.ts]');
      const list = args[1] === undefined ? [...SCENARIOS, ...LARGE_SCENARIOS] : await userScenarios(args[1]);
      process.stdout.write(`scenarios${args[1] === undefined ? '' : ` in ${args[1]}`}:\n${listScenarios(list)}\n`);
      return 0;
    } catch (e) {
      process.stderr.write(`percpu-sim explore: ${(e as Error).message}\n${USAGE}\n`);
      return 2;
    }
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\nscenarios:\n${listScenarios()}\n`);
    return 0;
  }
  let a: Args;
  let s: Scenario;
  let target: string;
  try {
    a = parseExploreArgs(args);
    ({ s, target } = await resolveScenario(a));
  } catch (e) {
    process.stderr.write(`percpu-sim explore: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const maxViolations = a.all ? Infinity : 1;
  const budgets = { bound: a.bound, preemptions: a.preemptions, migrations: a.migrations, irqs: a.irqs, softirqs: a.softirqs, nmis: a.nmis };
  try {
    if (a.mode === 'replay') {
      const sch = runSchedule(s, a.schedule, budgets);
      process.stdout.write(`scenario ${s.name}: replaying ${sch.schedule.length} choices\n${formatTrace(sch.trace)}\n`);
      draw(a, { title: `${s.name}: --schedule replay`, cpus: sch.m.nrCpus, trace: sch.trace, violation: sch.violation, schedule: sch.schedule.join(',') });
      if (sch.violation !== null) {
        process.stdout.write(`VIOLATION: ${sch.violation}\n`);
        return 1;
      }
      process.stdout.write(`no violation (${sch.steps} instructions, ${sch.preemptions} preemptions, ${sch.migrations} migrations, ${sch.interrupts} interrupts)\n`);
      return 0;
    }
    if (a.estimate) process.stdout.write(`${formatEstimate(estimateSchedules(s, budgets))}\n`);
    const bar = progressReporter(a.mode, a.mode === 'random' ? a.n : null, process.stdout.isTTY === true, process.stderr);
    let r: ExploreResult;
    try {
      r = a.mode === 'random' && a.pct !== undefined
        ? explorePct(s, a.n, a.seed, a.pct, { ...budgets, maxViolations, onProgress: bar.update, coverage: true })
        : a.mode === 'random'
        ? exploreRandom(s, a.n, a.seed, { ...budgets, maxViolations, onProgress: bar.update, coverage: true })
        : await exploreParallel(s, {
          ...budgets, maxViolations, coverage: true, reduction: a.reduction, onProgress: bar.update,
          maxSchedules: a.maxSchedules, timeLimitMs: a.timeLimit * 1000, jobs: a.jobs, ...(a.checkpoint === '' ? {} : { checkpoint: a.checkpoint }),
        });
    } finally {
      bar.stop();
    }
    if (r.violations.length > 0) process.stdout.write(`${formatViolation(s, r.violations[0]!, r.budgets, target)}\n\n`);
    if (r.violations.length > 0 && r.violations[0]!.trace.length > 0) draw(a, violationPicture(s.name, s.cpus, r.violations[0]!));
    else if (a.svg !== '' || a.html !== '') process.stderr.write('percpu-sim explore: no violation: nothing drawn\n');
    process.stdout.write(`${summary(s, r, a.seed, a)}\n`);
    if (r.coverage !== undefined && (r.resumedFrom === undefined || r.schedules > r.resumedFrom)) process.stdout.write(`${formatCoverage(coverageRows(s, r.coverage))}\n`);
    return r.violations.length > 0 ? 1 : 0;
  } catch (e) {
    process.stderr.write(`percpu-sim explore: ${(e as Error).message}\n`);
    return 2;
  }
}
