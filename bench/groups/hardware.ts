/**
 * The simulation against the hardware it models: this_cpu_add_4 against the
 * real `addl $1, %gs:off` in a C loop, with the GS base of the process set by
 * arch_prctl(ARCH_SET_GS) — the same instruction the kernel's this_cpu_add()
 * emits, run in user space. The C file is compiled at bench time into a
 * temporary directory. Needs x86-64 Linux and a C compiler (`cc`).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import type { BenchGroup, GroupContext, GroupOutput } from '../lib/group.js';
import { BenchCheckError, settleJit, timeNs, warmPlan } from '../lib/harness.js';
import { genAdd4, EXPECT } from '../lib/loops.js';
import { measurement, ratioRow, skipRow } from '../lib/report.js';
import { benchMachine } from '../lib/setup.js';

const C_SOURCE = String.raw`/* gs-add.c: n x "addl $1, %gs:VAR_OFF" with the GS base set in user space. */
#include <asm/prctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define VAR_OFF 64 /* the variable's offset in the per-CPU area */

static uint32_t percpu_area[1024] __attribute__((aligned(4096)));

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 1000000L;
	struct timespec a, b;
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, (unsigned long)percpu_area) != 0) {
		perror("arch_prctl(ARCH_SET_GS)");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		__asm__ volatile("addl $1, %%gs:%c0" : : "i"(VAR_OFF) : "memory");
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	printf("%u %.6f\n", percpu_area[VAR_OFF / 4], ns / (double)n);
	return 0;
}
`;

const ID = 'hardware.add_4_vs_gs_addl';
const TITLE = 'simulated this_cpu_add_4 vs real addl $1, %gs:off (C)';
const TARGET = { op: '<=', value: 3 } as const;

function skip(reason: string): GroupOutput {
  return { rows: [skipRow({ id: ID, group: 'hardware', title: TITLE, formula: 'this_cpu_add_4 ns/op ÷ addl %gs ns/op', unit: 'x', target: TARGET, reason })] };
}

/** Runs the compiled loop once: its ns/op, after checking it counted exactly n. */
function runC(bin: string, n: number): number {
  const r = spawnSync(bin, [String(n)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gs-add exited with ${r.status}: ${r.stderr.trim()}`);
  const [count, ns] = r.stdout.trim().split(/\s+/).map(Number);
  if (count !== n % 2 ** 32) throw new BenchCheckError(`gs-add counted ${count}, expected ${n}`);
  return ns;
}

const group: BenchGroup = {
  run(ctx: GroupContext): GroupOutput {
    if (arch() !== 'x64' || platform() !== 'linux') return skip(`needs x86-64 Linux for %gs and arch_prctl; this is ${platform()}/${arch()}`);
    const src = join(ctx.tmp, 'gs-add.c');
    const bin = join(ctx.tmp, 'gs-add');
    writeFileSync(src, C_SOURCE);
    const cc = spawnSync('cc', ['-O2', '-o', bin, src], { encoding: 'utf8' });
    if (cc.error !== undefined) return skip(`no C compiler: running cc failed (${cc.error.message})`);
    if (cc.status !== 0) return skip(`cc could not compile the %gs loop: ${cc.stderr.trim().split('\n')[0]}`);
    const probe = spawnSync(bin, ['1000'], { encoding: 'utf8' });
    if (probe.status === 2) return skip(`arch_prctl(ARCH_SET_GS) refused here: ${probe.stderr.trim()}`);
    if (probe.status !== 0) return skip(`the compiled %gs loop failed: exit ${probe.status} ${probe.stderr.trim()}`);

    const { m, p4 } = benchMachine();
    const nSim = ctx.size(5_000_000, 20_000);
    const nC = ctx.size(100_000_000, 1_000_000);
    const check = (got: unknown, k: number): void => {
      if (got !== EXPECT.add(k)) throw new BenchCheckError(`this_cpu_add_4 loop returned ${String(got)}, expected ${EXPECT.add(k)}`);
    };
    if (ctx.warmup > 0) {
      const { calls, short } = warmPlan(nSim);
      for (let c = 0; c < calls; c++) check(genAdd4(m, p4, short), short);
      settleJit();
    }
    for (let w = 0; w < ctx.warmup; w++) check(genAdd4(m, p4, nSim), nSim);
    runC(bin, nC);
    const sim: number[] = [];
    const hw: number[] = [];
    for (let r = 0; r < ctx.rounds; r++) {
      const t = timeNs(() => genAdd4(m, p4, nSim));
      check(t.value, nSim);
      sim.push(t.ns / nSim);
      hw.push(runC(bin, nC));
    }
    return {
      rows: [ratioRow({
        id: ID, group: 'hardware', title: TITLE,
        num: measurement('this_cpu_add_4', sim), den: measurement('addl $1, %gs:64', hw), target: TARGET,
        note: `C loop compiled with cc -O2; GS base set by arch_prctl(ARCH_SET_GS); ${nC} iterations per round`,
      })],
    };
  },
};
export default group;
