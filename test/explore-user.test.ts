/**
 * Issue 11 item 8: `percpu-sim explore ./file.ts [name]` runs a user's
 * scenarios; `explore list ./file.ts` lists them; the replay line names the
 * file and replays exactly as printed. The worked example of docs/explorer.md
 * is examples/explore/my-scenarios.ts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runExplore } from '../src/cli/explore.js';
import { importUserModule } from '../src/cli/import-user-module.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLE = 'examples/explore/my-scenarios.ts';

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const cwd = process.cwd();
  process.chdir(ROOT);
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
  try {
    const code = await runExplore(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.chdir(cwd);
  }
}

afterEach(() => vi.restoreAllMocks());

const tmp = mkdtempSync(join(tmpdir(), 'percpu-user-scenarios-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('user scenario files', () => {
  it('explore list ./file.ts lists what the file exports', async () => {
    const r = await run('list', EXAMPLE);
    expect(r.code).toBe(0);
    expect(r.out).toBe([
      `scenarios in ${EXAMPLE}:`,
      '  rx-count-bh-off       fixed  rx_count() from process context with local_bh_disable(), and from NET_RX',
      '  rx-count-preempt-off  buggy  rx_count() from process context with only preempt_disable(), and from NET_RX',
      '',
    ].join('\n'));
  });

  it('explores a named scenario of the file; the printed replay line names the file and replays exactly', async () => {
    const r = await run(EXAMPLE, 'rx-count-preempt-off');
    expect(r.code).toBe(1);
    expect(r.out).toContain('VIOLATION in schedule 3 of rx-count-preempt-off: lost update: rx_packets sums to 1 after 2 calls of rx_count()');
    const replay = /replay: percpu-sim explore (.*)\n/.exec(r.out)![1]!;
    expect(replay).toBe(`${EXAMPLE} rx-count-preempt-off --schedule 0,s0:NET_RX,0,0,0,0,0`);
    const again = await run(...replay.split(' '));
    expect(again.code).toBe(1);
    expect(again.out).toContain('VIOLATION: lost update: rx_packets sums to 1 after 2 calls of rx_count()');
    expect(again.out).toContain('  #2   cpu0 -- softirq: NET_RX raised by an interrupt, runs on cpu0 (over T)\n');
    const fixed = await run(EXAMPLE, 'rx-count-bh-off');
    expect(fixed.code).toBe(0);
    expect(fixed.out).toContain('violations:         0');
  });

  it('a file with one scenario needs no name; errors name the file and what it exports', async () => {
    const one = join(tmp, 'one.ts');
    writeFileSync(one, `import { rxCountBhOff } from '${join(ROOT, EXAMPLE)}';\nexport const only = rxCountBhOff;\nexport const notAScenario = 42;\n`);
    const r = await run(one);
    expect(r.code).toBe(0);
    expect(r.out).toContain('scenario:           rx-count-bh-off: ');
    expect((await run(EXAMPLE)).err).toContain(`percpu-sim explore: ${EXAMPLE} exports 2 scenarios (rx-count-bh-off, rx-count-preempt-off): name one, percpu-sim explore ${EXAMPLE} <scenario>`);
    expect((await run(EXAMPLE, 'nope')).err).toContain(`percpu-sim explore: ${EXAMPLE} has no scenario 'nope'; it exports: rx-count-bh-off, rx-count-preempt-off`);
    const none = join(tmp, 'none.ts');
    writeFileSync(none, 'export const x = 1;\n');
    const n = await run(none);
    expect([n.code, n.err.split('\n')[0]]).toEqual([2, `percpu-sim explore: ${none} exports no scenario (an object with name, title, description, expect, cpus and build(); see docs/explorer.md)`]);
    const missing = await run('./no-such-file.ts');
    expect([missing.code, missing.err.split('\n')[0]]).toEqual([2, `percpu-sim explore: ./no-such-file.ts: cannot load ./no-such-file.ts: no such file (looked at ${join(ROOT, 'no-such-file.ts')})`]);
  });

  it('importUserModule loads TypeScript by path', async () => {
    const mod = await importUserModule(join(ROOT, EXAMPLE));
    expect(Object.keys(mod).sort()).toEqual(['rxCountBhOff', 'rxCountPreemptOff']);
  });

  it('the installed command line runs a user file too', () => {
    const r = spawnSync(process.execPath, ['bin/percpu-sim.mjs', 'explore', 'list', EXAMPLE], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('rx-count-preempt-off  buggy');
  });
});
