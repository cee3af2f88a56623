/**
 * percpu-sim: the simulator's command line.
 *
 *   percpu-sim demo                          the demo `make` runs
 *   percpu-sim map                           per-CPU memory map of a sample machine
 *   percpu-sim explore <scenario> [options]  search schedules for per-CPU races
 *   percpu-sim check <file.c> [options]      translate kernel C (percpu-cc) and explore its harness
 *
 * Each command lives in its own module, loaded only when used.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const COMMANDS: Record<string, { help: string; run: (args: string[]) => Promise<number> }> = {
  demo: {
    help: 'define per-CPU variables, boot 4 CPUs, run ops, print layout and values',
    run: async () => {
      const { runDemo } = await import('../../examples/demo.js');
      process.stdout.write(runDemo().join('\n') + '\n');
      return 0;
    },
  },
  map: {
    help: 'print the per-CPU memory map (units, regions, chunks, allocations) of a sample machine',
    run: async () => {
      const { runMapDemo } = await import('./map.js');
      process.stdout.write(runMapDemo() + '\n');
      return 0;
    },
  },
  explore: {
    help: 'explore schedules of a scenario: explore <scenario> [--exhaustive|--random N] [--seed S]',
    run: async (args) => {
      const { runExplore } = await import('./explore.js');
      return runExplore(args);
    },
  },
  check: {
    help: 'translate a C file and explore its PERCPU_* harness: check <file.c> [--arch A|all] [--random N] [-DNAME]',
    run: async (args) => {
      const { runCheck } = await import('../../cc/check.js');
      return runCheck(args);
    },
  },
};

function usage(): string {
  return ['usage: percpu-sim <command> [args]', ...Object.entries(COMMANDS).map(([k, v]) => `  ${k.padEnd(8)} ${v.help}`)].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  // `percpu-sim … | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h') {
    process.stdout.write(usage() + '\n');
    return cmd === undefined ? 2 : 0;
  }
  const c = COMMANDS[cmd];
  if (!c) {
    process.stderr.write(`percpu-sim: unknown command '${cmd}'\n${usage()}\n`);
    return 2;
  }
  return c.run(rest);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
