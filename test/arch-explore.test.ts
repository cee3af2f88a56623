/**
 * The explorer on the generated stepped ops of each architecture (issue 7,
 * section 3): raw_cpu_add from two preemptible tasks is safe on x86-64 (one
 * instruction) and broken on arm64 and asm-generic, where a migration between
 * the load and the store makes the task store into the previous CPU's copy;
 * this_cpu_add is safe on all three.
 */
import { describe, expect, it } from 'vitest';
import { exploreExhaustive } from '../src/explore/explorer.js';
import { ARCH_ADD_SCENARIOS, rawAddArm64, rawAddGeneric } from '../src/explore/scenarios/arch-add.js';

describe('arch-add scenarios', () => {
  for (const s of ARCH_ADD_SCENARIOS) {
    it(`${s.name}: ${s.expect === 'none' ? 'no schedule violates the invariants' : 'the explorer finds the violation'}`, () => {
      const r = exploreExhaustive(s, { maxViolations: 1 });
      if (s.expect === 'none') {
        expect(r.violations).toEqual([]);
        expect(r.complete).toBe(true);
      } else {
        expect(r.violations.length).toBe(1);
      }
    });
  }

  for (const [s, store] of [[rawAddArm64, 'str w2, [x1]'], [rawAddGeneric, '*(u32 *)ptr = r']] as const) {
    it(`${s.name}: the first violation is T2, migrated to cpu1 between load and store, storing into cpu0's copy`, () => {
      const v = exploreExhaustive(s, { maxViolations: 1 }).violations[0]!;
      expect(v.kind).toBe('step-check');
      expect(v.migrations).toBe(1);
      expect(v.message).toBe(
        "T2 on cpu1 stores into cpu0's copy of DEFINE_PER_CPU(u32, counter) (0x1040): it migrated after raw_cpu_ptr() computed the address on cpu0, so it corrupts another CPU's copy",
      );
      const last = v.trace.filter((e) => e.kind === 'step').at(-1)!;
      expect(last).toMatchObject({ cpu: 1, who: 'T2', text: `${store}    ; cpu0's copy` });
    });

    it(`${s.name}: over every schedule, preemption between load and store also loses an update (the final sum)`, () => {
      const kinds = new Set(exploreExhaustive(s, { maxViolations: 1000 }).violations.map((v) => v.kind));
      expect([...kinds].sort()).toEqual(['invariant', 'step-check']);
    });
  }
});
