/**
 * The demo `make` runs: define per-CPU variables, boot a 4-CPU machine, run
 * this_cpu ops on every CPU, then show the `.data..percpu` layout, each CPU's
 * values with the sum across CPUs, and a few generated functions next to the
 * x86 instruction each stands for.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import {
  DEFINE_PER_CPU, DEFINE_PER_CPU_ALIGNED, DEFINE_PER_CPU_READ_MOSTLY, Machine, per_cpu, per_cpu_sum,
  smp_processor_id, get_cpu, put_cpu,
  this_cpu_add_4, this_cpu_inc_8, this_cpu_add_return_2, this_cpu_cmpxchg_4, this_cpu_write_1, this_cpu_read,
  alloc_percpu, free_percpu, pcpu_meminfo, percpu_counter_init, percpu_counter_add, percpu_counter_read, percpu_counter_sum,
  percpu_counter_batch, percpu_counter_destroy,
} from '../src/index.js';
import { packageRoot } from '../generator/root.js';

// The package root, from examples/ in a checkout or dist/examples/ in an installed package (which ships generated/).
const ROOT = packageRoot(import.meta.url);

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r, j) => {
    const line = r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    return j === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  });
}

/** The generated function's body lines (without doc comment) for the demo listing. */
function generatedBody(name: string): string[] {
  const src = readFileSync(path.join(ROOT, 'generated/x86_64/percpu.ts'), 'utf8');
  const start = src.indexOf(`export function ${name}(`);
  const end = src.indexOf('\n}\n', start);
  return src.slice(start, end + 2).split('\n');
}

export function runDemo(): string[] {
  const out: string[] = [];
  const m = new Machine({ cpus: 4 });
  const hits = DEFINE_PER_CPU(m, 'u32', 'hits');
  const bytes = DEFINE_PER_CPU(m, 'u64', 'bytes');
  const seq = DEFINE_PER_CPU_ALIGNED(m, 'u16', 'seq', 100);
  const mode = DEFINE_PER_CPU_READ_MOSTLY(m, 'u8', 'mode');
  const owner = DEFINE_PER_CPU(m, 'i32', 'owner', -1);
  m.boot();
  out.push('== boot ==', ...m.bootLog, '');

  for (let cpu = 0; cpu < m.nrCpus; cpu++) {
    m.runOn(cpu, () => {
      for (let i = 0; i <= cpu; i++) this_cpu_add_4(m, hits, 10);
      for (let i = 0; i < 1000 * (cpu + 1); i++) this_cpu_inc_8(m, bytes);
      this_cpu_add_return_2(m, seq, cpu);
      this_cpu_write_1(m, mode, cpu % 2);
      const me = get_cpu(m); // preemption off: the CPU number stays true
      this_cpu_cmpxchg_4(m, owner, 0xffffffff, me);
      put_cpu(m);
    });
  }

  out.push('== .data..percpu layout ==');
  out.push(...table([
    ['symbol', 'section', 'offset', 'size', 'align'],
    ...m.layout!.static.entries.map((e) => [e.name, e.section, `0x${e.offset.toString(16)}`, String(e.size), String(e.align)]),
  ]), '');

  out.push("== each CPU's copy (per_cpu) ==");
  const syms = [['hits', hits], ['bytes', bytes], ['seq', seq], ['mode', mode], ['owner', owner]] as const;
  const rows: string[][] = [['cpu', 'GS base', ...syms.map(([n]) => n)]];
  for (let cpu = 0; cpu < m.nrCpus; cpu++) {
    rows.push([`cpu${cpu}`, `0x${m.percpuBaseReg[cpu].toString(16)}`, ...syms.map(([, s]) => String(per_cpu(m, s, cpu)))]);
  }
  rows.push(['sum', '', ...syms.map(([, s]) => String(per_cpu_sum(m, s)))]);
  out.push(...table(rows), '');
  out.push(`smp_processor_id() on cpu2 (a gs-relative read of cpu_number): ${m.runOn(2, () => { get_cpu(m); const c = smp_processor_id(m); put_cpu(m); return c; })}`);
  out.push(`typed layer: this_cpu_read(m, owner) on cpu3 = ${m.runOn(3, () => this_cpu_read(m, owner))} (i32 reads back signed)`, '');

  out.push('== dynamic per-CPU memory ==');
  const dyn = alloc_percpu(m, 'u32')!;
  for (const cpu of m.online) m.runOn(cpu, () => this_cpu_add_4(m, dyn, cpu + 1)); // the same op as on a static symbol
  out.push(`alloc_percpu(u32) -> ${String(dyn)}: copies ${[...m.online].map((c) => per_cpu(m, dyn, c)).join(' ')}, sum ${per_cpu_sum(m, dyn)}`);
  const fbc = percpu_counter_init(m, 0);
  for (const cpu of m.online) m.runOn(cpu, () => { for (let i = 0; i < 25 * (cpu + 1); i++) percpu_counter_add(fbc, 1); });
  out.push(
    `percpu_counter: read ${percpu_counter_read(fbc)} (approximate, within batch x online = ${percpu_counter_batch(m) * m.online.weight()}), sum ${percpu_counter_sum(fbc)} (exact)`,
    pcpu_meminfo(m),
  );
  percpu_counter_destroy(fbc);
  free_percpu(m, dyn);
  out.push('');

  out.push('== generated ops and the x86 instruction each stands for ==');
  for (const name of ['this_cpu_add_4', 'this_cpu_inc_8', 'this_cpu_sub_2', 'raw_cpu_xchg_4', 'this_cpu_xchg_4']) {
    out.push(...generatedBody(name), '');
  }
  return out;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(runDemo().join('\n') + '\n');
}
