/**
 * What each architecture's generated op costs relative to x86-64 (issue 7):
 * the measurement is bench/arch-cost.ts (tinybench, one loop per op and
 * architecture, results checked); this group turns its rows into report rows.
 * On x86-64 one gs-relative access does the op; arm64 adds mrs + add and
 * preempt_disable/enable, asm-generic the CPU number, __per_cpu_offset[] and
 * local_irq_save/restore.
 */
import { measureArchCost } from '../arch-cost.js';
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { measurement, valueRow, type Row } from '../lib/report.js';

const group: BenchGroup = {
  async run(ctx: GroupContext): Promise<GroupOutput> {
    const rows: Row[] = [];
    for (const r of await measureArchCost({ quick: ctx.quick })) {
      for (const arch of ['arm64', 'generic'] as const) {
        rows.push(valueRow({
          id: `arches.${r.op}.${arch}`, group: 'arches', title: `${r.op}: ${arch} vs x86_64`, kind: 'ratio',
          formula: `${arch} ns/op ÷ x86_64 ns/op (tinybench means)`, unit: 'x', samples: [r.ratio[arch]], target: null,
          note: `${r.ns[arch].toFixed(2)} vs ${r.ns.x86_64.toFixed(2)} ns/op`,
          measurements: [measurement(`${r.op} (${arch})`, [r.ns[arch]]), measurement(`${r.op} (x86_64)`, [r.ns.x86_64])],
        }));
      }
    }
    return { rows, note: 'measured by bench/arch-cost.ts; tinybench reports one mean per task, so min = max = value' };
  },
};
export default group;
