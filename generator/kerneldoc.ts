/**
 * Doc phrases for generated ops, one per base op, written as the kernel's
 * atomic kerneldoc is: the effect as an expression on the pointer, then the
 * return. Parameters are written `pcp`, not kerneldoc's @pcp, which TSDoc
 * (and so the API reference) would read as a block tag.
 * The variant sentence says what protection the caller gets or owes.
 */
import type { Variant } from './model.js';

const COPY = "this CPU's copy of `pcp`";

const PHRASES: Record<string, string> = {
  read: `Returns ${COPY}.`,
  read_stable: `Returns ${COPY}; a read the compiler may cache (no memory input).`,
  write: `Sets ${COPY} to \`val\`. Returns nothing.`,
  add: `Adds \`val\` to ${COPY}. Returns nothing.`,
  sub: `Subtracts \`val\` from ${COPY} (adds its negation). Returns nothing.`,
  inc: `Adds 1 to ${COPY}. Returns nothing.`,
  dec: `Subtracts 1 from ${COPY}. Returns nothing.`,
  and: `Updates ${COPY} to (\`pcp\` & \`val\`), bitwise. Returns nothing.`,
  or: `Updates ${COPY} to (\`pcp\` | \`val\`), bitwise. Returns nothing.`,
  add_return: `Adds \`val\` to ${COPY}. Returns the new value.`,
  sub_return: `Subtracts \`val\` from ${COPY}. Returns the new value.`,
  inc_return: `Adds 1 to ${COPY}. Returns the new value.`,
  dec_return: `Subtracts 1 from ${COPY}. Returns the new value.`,
  xchg: `Stores \`nval\` in ${COPY}. Returns the old value.`,
  cmpxchg: `If (${COPY} == \`oval\`), stores \`nval\`. Returns the value found (== \`oval\` on success).`,
  try_cmpxchg: `If (${COPY} == \`ovalp.value\`), stores \`nval\` and returns true; otherwise writes the value found to \`ovalp.value\` and returns false.`,
};
PHRASES.cmpxchg64 = PHRASES.cmpxchg128 = PHRASES.cmpxchg;
PHRASES.try_cmpxchg64 = PHRASES.try_cmpxchg128 = PHRASES.try_cmpxchg;
export const OP_PHRASES: Readonly<Record<string, string>> = PHRASES;

export const VARIANT_PHRASES: Readonly<Record<Variant, string>> = {
  raw_cpu: 'No protection and no check: the caller keeps the task on this CPU.',
  __this_cpu: 'The caller has disabled preemption; with CONFIG_DEBUG_PREEMPT (m.debugPreempt) a preemptible caller is a BUG.',
  this_cpu: 'Safe against preemption and interrupts on this CPU (not atomic against other CPUs).',
};

export function opPhrase(base: string, name: string): string {
  return OP_PHRASES[base] ?? `No kerneldoc available for ${name}.`;
}
