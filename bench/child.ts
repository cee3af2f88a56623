/**
 * Runs one comparison group in this process and sends its output to the
 * parent (bench/run.ts) over IPC. Usage: child.ts <group> [--quick] [--rounds N] [--warmup N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXT } from './lib/exec.js';
import type { BenchGroup, GroupContext, GroupOutput } from './lib/group.js';
import { GROUPS } from './groups/registry.js';

export type ChildMessage = { ok: true; output: GroupOutput } | { ok: false; error: string };

const HERE = dirname(fileURLToPath(import.meta.url));

async function main(argv: string[]): Promise<ChildMessage> {
  const name = argv[0];
  const entry = GROUPS.find((g) => g.name === name);
  if (entry === undefined) return { ok: false, error: `no benchmark group named ${JSON.stringify(name)}` };
  const quick = argv.includes('--quick');
  const num = (flag: string, dflt: number): number => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  const tmp = mkdtempSync(join(tmpdir(), `percpu-bench-${name}-`));
  const ctx: GroupContext = {
    quick, rounds: num('--rounds', quick ? 1 : 7), warmup: num('--warmup', quick ? 1 : 2),
    root: resolve(HERE, '..'), tmp, size: (full, small) => (quick ? small : full),
  };
  try {
    const mod = (await import(`./groups/${entry.module}${EXT}`)) as { default: BenchGroup };
    return { ok: true, output: await mod.default.run(ctx) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const result = await main(process.argv.slice(2));
if (process.send !== undefined) {
  process.send(result, () => process.exit(0));
} else {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
