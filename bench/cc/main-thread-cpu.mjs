// Preloaded (--import) by the cc.translate500 row into `percpu-cc --timings`:
// at exit, prints the CPU time of the process's main thread alone, so that
// the row can tell the translation's own work from the threads V8 runs beside
// it (optimizing compiles, garbage collection) and tsx's loader thread.
// Linux only (/proc); elsewhere it prints nothing.
import { readFileSync } from 'node:fs';

process.on('exit', () => {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // utime and stime, fields 14 and 15, in clock ticks (USER_HZ, 100 on Linux).
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    process.stderr.write(`percpu-cc: main thread ${(Number(f[11]) + Number(f[12])) * 10} ms CPU\n`);
  } catch {
    // No /proc: no figure.
  }
});
