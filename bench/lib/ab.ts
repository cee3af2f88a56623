/**
 * What the A/B scripts (bench/ab.ts, bench/counter-ab.ts, bench/explore-ab.ts)
 * share: their command line (`--base REV` and numeric options), the base
 * revision's files taken out of git into .ab-base/ (removed afterwards), CPU
 * time of a call, old and new run round by round with the order alternating,
 * and how a ratio's spread is printed.
 *
 * CPU time of the process (process.cpuUsage), not wall time: on a loaded
 * machine the time a process waits for a core is most of the noise.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './report.js';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Where a base revision's files go while a script runs. */
export const BASE_DIR = join(ROOT, '.ab-base');

/** A numeric option: its default and the least value it takes (an integer). */
export interface NumberOption {
  readonly value: number;
  readonly min: number;
}

/** The parsed command line: the base revision, each numeric option, and which flags were given. */
export type AbArgs<K extends string> = { readonly base: string; readonly flags: ReadonlySet<string> } & { readonly [k in K]: number };

/**
 * `--base REV` (required), `--<name> N` for each numeric option, and the
 * given flags (`--threads`); anything else is an error naming the options.
 * `script` is the script's path as the usage line shows it.
 */
export function abArgs<K extends string>(script: string, numbers: Readonly<Record<K, NumberOption>>, flags: readonly string[] = [], argv = process.argv.slice(2)): AbArgs<K> {
  const names = Object.keys(numbers) as K[];
  const shown = ['--base REV', ...names.map((k) => `--${k} N`), ...flags].join(', ');
  const usage = `usage: tsx ${script} --base <git revision>${names.map((k) => ` [--${k} ${numbers[k].value}]`).join('')}${flags.map((f) => ` [${f}]`).join('')}`;
  const out: Record<string, number> = {};
  for (const k of names) out[k] = numbers[k].value;
  const given = new Set<string>();
  let base = '';
  for (let i = 0; i < argv.length; i++) {
    const opt = argv[i];
    if (flags.includes(opt)) {
      given.add(opt);
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new Error(`${opt} needs a value\n${usage}`);
    const name = opt.replace(/^--/, '') as K;
    if (opt === '--base') base = v;
    else if (opt.startsWith('--') && names.includes(name)) out[name] = Number(v);
    else throw new Error(`unknown option ${opt} (options: ${shown})`);
  }
  if (base === '') throw new Error(usage);
  for (const k of names) {
    if (!Number.isInteger(out[k]) || out[k] < numbers[k].min) throw new Error(`--${k} takes an integer ≥ ${numbers[k].min}, got ${out[k]}`);
  }
  return { ...(out as { [k in K]: number }), base, flags: given };
}

/**
 * The `folders` of revision `rev` (git archive), extracted into
 * .ab-base/<name>/, which is emptied first; returns that folder. Remove it
 * with removeBase() when done.
 */
export function checkoutBase(rev: string, name: string, folders: readonly string[]): string {
  const dir = join(BASE_DIR, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tar = execFileSync('git', ['archive', rev, ...folders], { cwd: ROOT, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  return dir;
}

/** One file of revision `rev` as text (git show). */
export function baseFile(rev: string, file: string): string {
  return execFileSync('git', ['show', `${rev}:${file}`], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** Removes .ab-base/ and everything the script put there. */
export function removeBase(): void {
  rmSync(BASE_DIR, { recursive: true, force: true });
}

/** The CPU time of `f()` in nanoseconds, and what it returned. */
export function cpuTime<T>(f: () => T): { ns: number; value: T } {
  const t = process.cpuUsage();
  const value = f();
  const d = process.cpuUsage(t);
  return { ns: (d.user + d.system) * 1000, value };
}

/** Which side runs first in round `r`: old in even rounds, new in odd ones, so neither always runs second. */
export function sideOrder(r: number): readonly [0 | 1, 0 | 1] {
  return r % 2 === 0 ? [0, 1] : [1, 0];
}

/** `rounds` rounds of both sides in sideOrder(); `run(side)` measures one side once (side 0 is old). Each side's results in round order. */
export function interleaved<T>(rounds: number, run: (side: 0 | 1) => T): [T[], T[]] {
  const out: [T[], T[]] = [[], []];
  for (let r = 0; r < rounds; r++) for (const side of sideOrder(r)) out[side].push(run(side));
  return out;
}

/** A ratio's samples as printed: `median (min–max)`. */
export function spread(x: readonly number[], digits = 2): string {
  return `${median(x).toFixed(digits)} (${Math.min(...x).toFixed(2)}–${Math.max(...x).toFixed(2)})`;
}

