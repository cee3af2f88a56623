/**
 * The `percpu-sim` command as a user runs it (bin/percpu-sim.mjs): each
 * subcommand answers, and a wrong command is a usage error with exit 2.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sim(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/percpu-sim.mjs'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('percpu-sim', () => {
  it('demo prints the boot log, the layout and the per-CPU table', () => {
    const r = sim('demo');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('pcpu-alloc: s196 r8192 d32572 u40960 alloc=1*40960');
    expect(r.stdout).toMatch(/^sum\s+100\s+10000\s+406\s+2\s+6$/m);
  });

  it('map prints the per-CPU memory map', () => {
    const r = sim('map');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('per-CPU memory map: 4 possible CPUs (online 0-3), x86_64');
    expect(r.stdout).toContain('unit size 40960 bytes (10 pages): static 200 | reserved 8192 | dynamic 32568');
    expect(r.stdout).toMatch(/^ {2}1 +online +0x0b000 +0x0b000-0x0b0c8 +0x0b0c8-0x0d0c8 +0x0d0c8-0x15000 +0x33000-0x3d000$/m);
  });

  it('explore runs a scenario and exits 1 on a violation', () => {
    const r = sim('explore', 'xchg-irq-raw');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('replay: percpu-sim explore xchg-irq-raw --schedule 0,0,1,i1:ipi,1,1,1');
  });

  it('an unknown command is a usage error', () => {
    const r = sim('frob');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("percpu-sim: unknown command 'frob'");
    expect(r.stderr).toContain('usage: percpu-sim <command> [args]');
    expect(sim().status).toBe(2);
    expect(sim('--help').status).toBe(0);
  });
});
