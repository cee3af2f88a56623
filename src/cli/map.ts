/**
 * `percpu-sim map`: the per-CPU memory map of a machine, as text. Every chunk
 * has one unit per CPU and every unit of a chunk has the same layout, so the map
 * shows where each CPU's units are, then each chunk's layout once: static
 * symbols, reserved and dynamic regions, live allocations and free space.
 */
import { DEFINE_PER_CPU, DEFINE_PER_CPU_READ_MOSTLY, DEFINE_PER_CPU_SHARED_ALIGNED } from '../define.js';
import { Machine } from '../machine.js';
import { __alloc_percpu, __alloc_reserved_percpu, alloc_percpu, free_percpu, pcpu_chunks, pcpu_meminfo, type PcpuChunkInfo } from '../mm/percpu-alloc.js';
import { percpu_counter_init } from '../lib/percpu-counter.js';

function hex(n: number, width = 5): string {
  return `0x${n.toString(16).padStart(width, '0')}`;
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join(' ').trimEnd();
}

function chunkName(c: PcpuChunkInfo): string {
  if (c.kind === 'reserved') return 'reserved chunk';
  if (c.kind === 'first') return 'first chunk (dynamic region)';
  return `chunk #${c.id}`;
}

/** The unit of `cpu` in a chunk: first-chunk parts share the first chunk's units. */
function unitBase(m: Machine, c: PcpuChunkInfo, cpu: number): number {
  const unitSize = m.layout!.unitSize;
  return (c.kind === 'dynamic' ? c.start : m.layout!.base) + cpu * unitSize;
}

/** Renders the per-CPU memory map of a booted machine (deterministic text). */
export function percpuMap(m: Machine): string {
  if (!m.booted) throw new Error('percpuMap: the machine has not booted (call m.boot() first)');
  const L = m.layout!;
  const chunks = pcpu_chunks(m);
  const created = chunks.filter((c) => c.kind === 'dynamic');
  const out: string[] = [];
  out.push(
    `per-CPU memory map: ${m.nrCpus} possible CPUs (online ${m.online}), ${m.arch}`,
    `unit size ${L.unitSize} bytes (${L.unitSize / 4096} pages): static ${L.staticSize} | reserved ${L.reservedSize} | dynamic ${L.dynamicSize}`,
    `${1 + created.length} chunk(s) of ${m.nrCpus} units; ${pcpu_meminfo(m).replace(/\s+/g, ' ')}`,
    '',
    'Units by CPU (a per-CPU pointer p reaches cpu\'s copy at p + __per_cpu_offset[cpu]):',
  );
  const unitCols = ['cpu', 'state', '__per_cpu_offset', 'static', 'reserved', 'dynamic', ...created.map((c) => `chunk #${c.id}`)];
  const widths = unitCols.map((c) => Math.max(c.length, 17));
  widths[0] = 4;
  widths[1] = 8;
  out.push('  ' + row(unitCols, widths));
  for (let cpu = 0; cpu < m.nrCpus; cpu++) {
    const base = m.perCpuOffset[cpu];
    const span = (a: number, b: number): string => (a === b ? '-' : `${hex(a)}-${hex(b)}`);
    const cells = [
      String(cpu),
      m.online.test(cpu) ? 'online' : 'offline',
      hex(base),
      span(base, base + L.staticSize),
      span(base + L.staticSize, base + L.staticSize + L.reservedSize),
      span(base + L.staticSize + L.reservedSize, base + L.unitSize),
      ...created.map((c) => span(unitBase(m, c, cpu), unitBase(m, c, cpu) + L.unitSize)),
    ];
    out.push('  ' + row(cells, widths));
  }

  const entryWidths = [16, 8, 6, 6];
  out.push('', `Static region (unit offsets ${hex(0, 4)}-${hex(L.staticSize, 4)}, .data..percpu, never freed):`);
  out.push('  ' + row(['offset', 'bytes', 'align', 'type', 'symbol (section)'], entryWidths));
  for (const e of [...L.static.entries].sort((a, b) => a.offset - b.offset)) {
    out.push('  ' + row([hex(e.offset, 4), String(e.size), String(e.align), e.type, `${e.name} (${e.section})`], entryWidths));
  }

  for (const c of chunks) {
    out.push(
      '',
      `${chunkName(c)}: unit offsets ${hex(c.unitStart, 4)}-${hex(c.unitEnd, 4)}, ${c.freeBytes} of ${c.unitEnd - c.unitStart} bytes free, largest free run ${c.contigBytes}, ` +
        `${c.kind === 'reserved' ? 'not on a slot list' : `slot ${c.slot}`}, ${c.nrPopulated}/${c.nrPages} pages populated`,
    );
    const items = [
      ...c.allocations.map((a) => ({ at: a.unitOffset, bytes: a.bytes, what: `${a.label}  [percpu ${hex(a.ptr.off, 4)}]` })),
      ...c.freeRuns.map((f) => ({ at: f.unitOffset, bytes: f.bytes, what: 'free' })),
    ].sort((a, b) => a.at - b.at);
    const w = [16, 8];
    out.push('  ' + row(['offset', 'bytes', 'contents'], w));
    for (const it of items) out.push('  ' + row([`${hex(it.at, 4)}-${hex(it.at + it.bytes, 4)}`, String(it.bytes), it.what], w));
  }
  return out.join('\n');
}

/**
 * The sample machine of `percpu-sim map`: 4 CPUs, a few static variables, and
 * allocations that fill the first chunk's dynamic region and spill into a
 * second chunk, with one freed hole and a percpu_counter's s32 deltas.
 */
export function runMapDemo(): string {
  const m = new Machine({ cpus: 4 });
  DEFINE_PER_CPU(m, 'u64', 'nr_events');
  DEFINE_PER_CPU(m, 'i32', 'irq_depth');
  DEFINE_PER_CPU_READ_MOSTLY(m, 'bool', 'tick_stopped');
  DEFINE_PER_CPU_SHARED_ALIGNED(m, 'u64', 'runqueue_lock');
  m.boot();
  __alloc_reserved_percpu(m, 48, 16);
  alloc_percpu(m, 'u64');
  const hole = __alloc_percpu(m, 100, 4);
  alloc_percpu(m, 'u32');
  percpu_counter_init(m);
  __alloc_percpu(m, 24 << 10, 4096);
  __alloc_percpu(m, 16 << 10, 4096);
  alloc_percpu(m, 'u128');
  free_percpu(m, hole);
  return percpuMap(m);
}
