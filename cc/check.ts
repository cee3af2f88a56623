/**
 * `percpu-sim check file.c [--arch x86_64|arm64|generic|all] [--rt] [--exhaustive | --random N]
 *                          [--seed S] [--bound K] [--schedule STR] [-DNAME[=V]] [-UNAME]`
 *
 * Translates the C file (percpu-cc), loads the stepped module, builds the
 * scenario its PERCPU_* harness macros describe, and explores it on each
 * architecture asked for. Violations print with their trace, where every step
 * carries the C line it came from.
 *
 * Exit status: 0 when no violation was found, 1 when one was, 2 for bad usage
 * or C that percpu-cc refuses (`file.c:line:col: unsupported: …`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CError } from '../c/errors.js';
import {
  DEFAULT_BOUND, exploreExhaustive, exploreRandom, formatTrace, runSchedule, type ExploreResult,
} from '../src/explore/explorer.js';
import { ARCHES, Machine, type Arch } from '../src/machine.js';
import { PerCpuPtr } from '../src/percpu-ptr.js';
import type { IrqSpec, Scenario, SoftirqSpec, TaskSpec } from '../src/sched/task.js';
import { DEFAULT_RUNTIME, ROOT, compileFile, type Compiled } from './compile.js';
import { importUserModule } from '../src/cli/import-user-module.js';

const USAGE = 'usage: percpu-sim check <file.c> [--arch x86_64|arm64|generic|all] [--rt] [--exhaustive | --random N] [--seed S]\n'
  + '                          [--bound K] [--schedule STR] [-DNAME[=VALUE]] [-UNAME] [--stubs <module.ts>]';

class UsageError extends Error {}

export interface CheckArgs {
  file: string;
  arches: Arch[];
  rt: boolean;
  mode: 'exhaustive' | 'random' | 'replay';
  n: number;
  seed: number;
  bound: number | undefined;
  schedule: string;
  defines: Record<string, string>;
  undefs: string[];
  stubs: string | undefined;
}

function intArg(flag: string, v: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`${flag}: expected an integer from ${min} to ${max}, got '${v ?? ''}'`);
  }
  return Number(v);
}

export function parseCheckArgs(args: readonly string[]): CheckArgs {
  const out: CheckArgs = { file: '', arches: [], rt: false, mode: 'exhaustive', n: 0, seed: 1, bound: undefined, schedule: '', defines: {}, undefs: [], stubs: undefined };
  let modeFlag = '';
  const setMode = (flag: string, mode: CheckArgs['mode']): void => {
    if (modeFlag !== '' && modeFlag !== flag) throw new UsageError(`${modeFlag} and ${flag} cannot be combined`);
    modeFlag = flag;
    out.mode = mode;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('-D') || a.startsWith('-U')) {
      const v = a.length > 2 ? a.slice(2) : args[++i];
      if (v === undefined || !/^[A-Za-z_]\w*(=.*)?$/.test(v)) throw new UsageError(`${a.slice(0, 2)} needs NAME or NAME=VALUE, got '${v ?? ''}'`);
      if (a.startsWith('-D')) {
        const eq = v.indexOf('=');
        out.defines[eq < 0 ? v : v.slice(0, eq)] = eq < 0 ? '1' : v.slice(eq + 1);
      } else {
        out.undefs.push(v);
      }
      continue;
    }
    switch (a) {
      case '--arch': {
        const v = args[++i];
        const list = v === 'all' ? [...ARCHES] : [v as Arch];
        if (v === undefined || !list.every((x) => ARCHES.includes(x))) throw new UsageError(`--arch: expected ${ARCHES.join(', ')} or all, got '${v ?? ''}'`);
        for (const x of list) if (!out.arches.includes(x)) out.arches.push(x);
        break;
      }
      case '--rt': out.rt = true; break;
      case '--stubs': {
        const v = args[++i];
        if (v === undefined) throw new UsageError('--stubs needs a TypeScript module');
        out.stubs = v;
        break;
      }
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
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option '${a}'`);
        if (out.file !== '') throw new UsageError(`one C file at a time (got '${out.file}' and '${a}')`);
        out.file = a;
    }
  }
  if (out.file === '') throw new UsageError('which C file?');
  if (out.arches.length === 0) out.arches.push('x86_64');
  if (out.rt) out.defines.CONFIG_PREEMPT_RT = '1';
  return out;
}

interface Instance {
  readonly tasks: readonly TaskSpec[];
  readonly irqs: readonly IrqSpec[];
  readonly nmis: readonly IrqSpec[];
  readonly softirqs: readonly SoftirqSpec[];
  init(): void;
  check(): string | null;
  final(): string | null;
  readonly [k: string]: unknown;
}

interface SteppedModule {
  readonly HARNESS: { readonly cpus: number | null; readonly bound: number | null; readonly debugPreempt: boolean };
  instantiate(m: Machine): Instance;
}

/**
 * Translates `file` into a scratch folder and imports its stepped module, which
 * must load the very runtime modules this process runs (one Machine class).
 * In a checkout the scratch folder is inside it and imports the sources (tsx
 * is loaded); from an install it is a temporary folder outside node_modules
 * (Node strips types only there) importing the package's dist/, loaded as a
 * user's .ts module is (importUserModule).
 */
export async function loadC(file: string, defines: Record<string, string>, undefs: readonly string[], stubs?: string): Promise<{ mod: SteppedModule; compiled: Compiled }> {
  const checkout = DEFAULT_RUNTIME === 'checkout';
  const cache = checkout ? path.join(ROOT, '.percpu-cc') : tmpdir();
  mkdirSync(cache, { recursive: true });
  const scratch = mkdtempSync(path.join(cache, checkout ? 'check-' : 'percpu-cc-check-'));
  try {
    const compiled = compileFile(file, { outDir: scratch, defines, undefs, stubs, runtime: checkout ? 'checkout' : 'dist' });
    mkdirSync(scratch, { recursive: true });
    for (const f of compiled.files) writeFileSync(path.join(scratch, f.name), f.text);
    const stepped = path.join(scratch, compiled.files.find((f) => f.name.endsWith('-stepped.ts'))!.name);
    const mod = (checkout ? await import(pathToFileURL(stepped).href) : await importUserModule(stepped)) as SteppedModule;
    return { mod, compiled };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The scenario a translated C file describes, on one architecture. */
export function scenarioOf(mod: SteppedModule, name: string, arch: Arch, preemptRT = false): Scenario {
  const h = mod.HARNESS;
  const cpus = h.cpus ?? 2;
  return {
    name,
    title: `${name} on ${arch}${preemptRT ? ' (PREEMPT_RT)' : ''}`,
    description: `the PERCPU_* harness of ${name}`,
    expect: 'none',
    bound: h.bound ?? undefined,
    cpus,
    build() {
      const m = new Machine({ cpus, arch, preemptRT });
      m.debugPreempt = h.debugPreempt;
      const inst = mod.instantiate(m);
      m.boot();
      inst.init();
      if (inst.tasks.length === 0) throw new Error(`${name}: the harness has no PERCPU_TASK: nothing to explore`);
      const watch = Object.values(inst).filter((v): v is PerCpuPtr<unknown> => v instanceof PerCpuPtr);
      return { m, tasks: inst.tasks, irqs: inst.irqs, nmis: inst.nmis, softirqs: inst.softirqs, watch, check: () => inst.check(), final: () => inst.final() };
    },
  };
}

function replayLine(a: CheckArgs, arch: Arch, schedule: string, bound: number, defaultBound: number): string {
  const flags = [
    `--arch ${arch}`, ...(a.rt ? ['--rt'] : []),
    ...Object.entries(a.defines).filter(([k]) => !(a.rt && k === 'CONFIG_PREEMPT_RT')).map(([k, v]) => `-D${k}${v === '1' ? '' : `=${v}`}`),
    ...a.undefs.map((u) => `-U${u}`),
    ...(a.stubs !== undefined ? [`--stubs ${a.stubs}`] : []),
  ];
  if (bound !== defaultBound) flags.push(`--bound ${bound}`);
  return `replay: percpu-sim check ${a.file} ${flags.join(' ')} --schedule ${schedule}`;
}

export async function runCheck(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let a: CheckArgs;
  try {
    a = parseCheckArgs(args);
  } catch (e) {
    process.stderr.write(`percpu-sim check: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  let mod: SteppedModule;
  try {
    mod = (await loadC(a.file, a.defines, a.undefs, a.stubs)).mod;
  } catch (e) {
    if (e instanceof CError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    process.stderr.write(`percpu-sim check: ${(e as Error).message}\n`);
    return 2;
  }
  const name = path.basename(a.file);
  let status = 0;
  for (const arch of a.arches) {
    const s = scenarioOf(mod, name, arch, a.rt);
    const defaultBound = s.bound ?? DEFAULT_BOUND;
    try {
      if (a.mode === 'replay') {
        const sch = runSchedule(s, a.schedule, { bound: a.bound });
        process.stdout.write(`${name} on ${arch}: replaying ${sch.schedule.length} choices\n${formatTrace(sch.trace)}\n`);
        if (sch.violation !== null) {
          process.stdout.write(`VIOLATION: ${sch.violation}\n`);
          status = 1;
        } else {
          process.stdout.write(`no violation (${sch.steps} instructions, ${sch.preemptions} preemptions, ${sch.migrations} migrations, ${sch.interrupts} interrupts)\n`);
        }
        continue;
      }
      const r: ExploreResult = a.mode === 'random'
        ? exploreRandom(s, a.n, a.seed, { bound: a.bound })
        : exploreExhaustive(s, { bound: a.bound });
      const v = r.violations[0];
      if (v) {
        status = 1;
        process.stdout.write([
          `VIOLATION in ${name} on ${arch} (schedule ${v.index}): ${v.message}`,
          `trace (${v.steps} instructions, ${v.preemptions} preemptions, ${v.migrations} migrations, ${v.interrupts} interrupts):`,
          formatTrace(v.trace),
          replayLine(a, arch, v.schedule, r.bound, defaultBound),
          '',
        ].join('\n'));
      } else {
        const how = r.mode === 'exhaustive' ? `every schedule within preemption bound ${r.bound}${r.complete ? '' : ' (stopped early)'}` : `${r.schedules} random schedules from seed ${a.seed}`;
        process.stdout.write(`${name} on ${arch}: no violation in ${r.schedules} schedules (${how})\n`);
      }
    } catch (e) {
      process.stderr.write(`percpu-sim check: ${name} on ${arch}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  return status;
}
