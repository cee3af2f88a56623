/**
 * The benchmark report: its schema (documented in docs/bench.md), row
 * builders, verdicts, and a validator the tests use to check a report is well
 * formed. Absolute nanoseconds on a shared machine are noise, so the results
 * are ratios of two variants measured side by side in the same process; the
 * nanoseconds are kept only as supporting detail.
 */

export const REPORT_SCHEMA = 'percpu-ts-bench/1';

export type Verdict = 'pass' | 'fail' | 'skip' | 'info';
export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'skip', 'info'];

export interface Target {
  /** '==' is for exact results (a counter's final sum). */
  readonly op: '<=' | '>=' | '==';
  readonly value: number;
}

/** One variant's timings: one sample per round, in nanoseconds per operation. */
export interface Measurement {
  readonly name: string;
  readonly unit: 'ns/op';
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: readonly number[];
}

export interface Row {
  /** Stable id, `<group>.<what>`. */
  readonly id: string;
  readonly group: string;
  readonly title: string;
  /** 'ratio': value is numerator ÷ denominator (unit "x"); 'value': a measured quantity. */
  readonly kind: 'ratio' | 'value';
  /** How the value is computed, e.g. "this_cpu_add_4 ns/op ÷ raw Uint32Array ns/op". */
  readonly formula: string;
  /** null only when the row was skipped. */
  readonly value: number | null;
  readonly unit: string;
  /** Spread over rounds (for a ratio: the smallest and largest per-round ratio). */
  readonly min: number | null;
  readonly max: number | null;
  readonly target: Target | null;
  readonly verdict: Verdict;
  readonly note: string | null;
  readonly measurements: readonly Measurement[];
}

/** One point of the threads chart: a counter kind at a worker count. */
export interface ThreadsPoint {
  readonly kind: 'percpu' | 'counter' | 'atomic' | 'mutex';
  readonly workers: number;
  /** Increments per worker per round. */
  readonly n: number;
  readonly nsPerIncPerWorker: Spread;
  /** Increments per second by all workers together (W·n ÷ slowest worker's time). */
  readonly throughput: Spread;
  /** The counter's final total after the last round, as a decimal string (exact). */
  readonly finalSum: string;
  readonly expectedSum: string;
  readonly exact: boolean;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface GroupReport {
  readonly name: string;
  readonly title: string;
  readonly status: 'ok' | 'skipped' | 'error';
  readonly note: string | null;
  readonly wallMs: number;
  readonly rows: readonly Row[];
  readonly threads?: readonly ThreadsPoint[];
}

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  readonly totalMemoryBytes: number;
  /** 1-minute load average when the run started: other work on the machine skews thread scaling. */
  readonly loadAverage1m: number;
}

export interface Report {
  readonly schema: typeof REPORT_SCHEMA;
  readonly createdAt: string;
  readonly mode: 'full' | 'quick';
  readonly command: string;
  readonly machine: MachineInfo;
  readonly settings: { readonly rounds: number; readonly warmupRounds: number };
  readonly groups: readonly GroupReport[];
  readonly summary: { readonly rows: number; readonly pass: number; readonly fail: number; readonly skip: number; readonly info: number };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function spreadOf(xs: readonly number[]): Spread {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

export function measurement(name: string, samples: readonly number[]): Measurement {
  const s = spreadOf(samples);
  return { name, unit: 'ns/op', median: s.median, min: s.min, max: s.max, samples: [...samples] };
}

export function verdictOf(value: number | null, target: Target | null): Verdict {
  if (value === null || !Number.isFinite(value)) return 'skip';
  if (target === null) return 'info';
  const ok = target.op === '<=' ? value <= target.value : target.op === '>=' ? value >= target.value : value === target.value;
  return ok ? 'pass' : 'fail';
}

export interface RatioSpec {
  readonly id: string;
  readonly group: string;
  readonly title: string;
  readonly num: Measurement;
  readonly den: Measurement;
  readonly target: Target | null;
  readonly note?: string;
}

/**
 * A ratio of two variants measured in the same rounds. The value is the
 * median of the per-round ratios (each round's pair ran back to back, so the
 * pairing cancels most machine drift); min–max are the extreme per-round ratios.
 */
export function ratioRow(s: RatioSpec): Row {
  const n = Math.min(s.num.samples.length, s.den.samples.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) ratios.push(s.num.samples[i] / s.den.samples[i]);
  const sp = spreadOf(ratios);
  return {
    id: s.id, group: s.group, title: s.title, kind: 'ratio',
    formula: `${s.num.name} ns/op ÷ ${s.den.name} ns/op`,
    value: sp.median, unit: 'x', min: sp.min, max: sp.max,
    target: s.target, verdict: verdictOf(sp.median, s.target), note: s.note ?? null,
    measurements: [s.num, s.den],
  };
}

export interface ValueSpec {
  readonly id: string;
  readonly group: string;
  readonly title: string;
  readonly formula: string;
  readonly unit: string;
  readonly samples: readonly number[];
  readonly target: Target | null;
  readonly note?: string;
  readonly kind?: 'ratio' | 'value';
  readonly measurements?: readonly Measurement[];
}

export function valueRow(s: ValueSpec): Row {
  const sp = spreadOf(s.samples);
  return {
    id: s.id, group: s.group, title: s.title, kind: s.kind ?? 'value', formula: s.formula,
    value: sp.median, unit: s.unit, min: sp.min, max: sp.max,
    target: s.target, verdict: verdictOf(sp.median, s.target), note: s.note ?? null,
    measurements: s.measurements ?? [],
  };
}

export function skipRow(s: { id: string; group: string; title: string; formula: string; unit: string; target: Target | null; reason: string; kind?: 'ratio' | 'value' }): Row {
  return {
    id: s.id, group: s.group, title: s.title, kind: s.kind ?? (s.unit === 'x' ? 'ratio' : 'value'), formula: s.formula,
    value: null, unit: s.unit, min: null, max: null, target: s.target, verdict: 'skip', note: s.reason, measurements: [],
  };
}

export function summarize(groups: readonly GroupReport[]): Report['summary'] {
  const out = { rows: 0, pass: 0, fail: 0, skip: 0, info: 0 };
  for (const g of groups) for (const r of g.rows) {
    out.rows++;
    out[r.verdict]++;
  }
  return out;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const finitePos = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x > 0;

/** Problems with a parsed report.json (an empty list when it is well formed). */
export function validateReport(r: unknown): string[] {
  const errs: string[] = [];
  if (!isObj(r)) return ['report is not a JSON object'];
  if (r.schema !== REPORT_SCHEMA) errs.push(`schema is ${JSON.stringify(r.schema)}, expected ${REPORT_SCHEMA}`);
  if (typeof r.createdAt !== 'string' || Number.isNaN(Date.parse(r.createdAt))) errs.push('createdAt is not an ISO date');
  if (r.mode !== 'full' && r.mode !== 'quick') errs.push(`mode is ${JSON.stringify(r.mode)}`);
  const mi = r.machine;
  if (!isObj(mi)) errs.push('machine is missing');
  else {
    if (typeof mi.cpuModel !== 'string' || mi.cpuModel === '') errs.push('machine.cpuModel is empty');
    if (!Number.isInteger(mi.cores) || (mi.cores as number) < 1) errs.push('machine.cores is not a positive integer');
    if (typeof mi.node !== 'string' || !mi.node.startsWith('v')) errs.push('machine.node is not a Node version');
  }
  if (!Array.isArray(r.groups) || r.groups.length === 0) return [...errs, 'groups is missing or empty'];
  const ids = new Set<string>();
  let rows = 0;
  for (const g of r.groups as unknown[]) {
    if (!isObj(g) || typeof g.name !== 'string') { errs.push('a group has no name'); continue; }
    if (!['ok', 'skipped', 'error'].includes(g.status as string)) errs.push(`group ${g.name}: bad status ${JSON.stringify(g.status)}`);
    if (g.status !== 'ok' && (typeof g.note !== 'string' || g.note === '')) errs.push(`group ${g.name}: ${String(g.status)} without a note saying why`);
    if (!Array.isArray(g.rows)) { errs.push(`group ${g.name}: rows is not an array`); continue; }
    for (const row of g.rows as unknown[]) {
      rows++;
      if (!isObj(row) || typeof row.id !== 'string') { errs.push(`group ${g.name}: a row has no id`); continue; }
      const where = `row ${row.id}`;
      if (ids.has(row.id)) errs.push(`${where}: duplicate id`);
      ids.add(row.id);
      if (row.group !== g.name) errs.push(`${where}: group ${String(row.group)} ≠ ${g.name}`);
      if (!('target' in row)) errs.push(`${where}: no target field`);
      else if (row.target !== null && (!isObj(row.target) || !['<=', '>=', '=='].includes(row.target.op as string) || !finitePos(row.target.value))) {
        errs.push(`${where}: malformed target`);
      }
      if (!VERDICTS.includes(row.verdict as Verdict)) errs.push(`${where}: bad verdict ${JSON.stringify(row.verdict)}`);
      if (row.verdict === 'skip') {
        if (typeof row.note !== 'string' || row.note === '') errs.push(`${where}: skipped without a reason`);
        continue;
      }
      if (!finitePos(row.value)) errs.push(`${where}: value ${String(row.value)} is not a finite positive number`);
      if (!finitePos(row.min) || !finitePos(row.max)) errs.push(`${where}: min/max are not finite positive numbers`);
      else if ((row.min as number) > (row.value as number) || (row.value as number) > (row.max as number)) errs.push(`${where}: value outside min–max`);
      const expect = verdictOf(row.value as number, (row.target ?? null) as Target | null);
      if (row.verdict !== expect) errs.push(`${where}: verdict ${String(row.verdict)} but value and target give ${expect}`);
      if (row.kind === 'ratio' && row.unit !== 'x') errs.push(`${where}: a ratio's unit must be "x"`);
    }
    if (g.threads !== undefined) {
      if (!Array.isArray(g.threads)) errs.push(`group ${g.name}: threads is not an array`);
      else for (const p of g.threads as unknown[]) {
        if (!isObj(p) || !isObj(p.nsPerIncPerWorker) || !finitePos(p.nsPerIncPerWorker.median) || !Number.isInteger(p.workers)) {
          errs.push(`group ${g.name}: malformed threads point`);
        } else if (typeof p.finalSum !== 'string' || !/^\d+$/.test(p.finalSum) || p.exact !== (p.finalSum === p.expectedSum)) {
          errs.push(`group ${g.name}: threads point ${String(p.kind)}@${String(p.workers)} has an inconsistent sum`);
        }
      }
    }
  }
  const s = r.summary;
  if (!isObj(s) || s.rows !== rows) errs.push(`summary.rows does not count the ${rows} rows`);
  return errs;
}
