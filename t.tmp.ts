import path from 'node:path';
import { Machine } from './src/machine.js';
import { drain, translateAndLoad } from './test/cc/support.js';
const mod = await translateAndLoad(path.resolve('test/cc/calls/counter_api.c'));
for (const fl of ['fast', 'stepped'] as const) {
  const m = new Machine({ cpus: 2 }); m.debugPreempt = false;
  const f = (fl === 'fast' ? mod.fast : mod.stepped).instantiate(m) as any; m.boot();
  const run = (n: string, ...a: any[]) => { try { return fl === 'fast' ? f[n](...a) : drain(f[n](...a)); } catch (e) { return `ERR ${(e as Error).message}`; } };
  console.log(fl, run('t_layout'), run('t_add', 1n), run('t_init', 10n), run('t_init', 1n), run('t_ops', 3n), run('t_read'), run('t_add', 3n), run('t_read'), run('t_read_positive'), run('t_sum'), run('t_compare', 25n), run('t_compare', 26n), run('t_compare', 24n), run('t_batch'), run('t_set', -5n), run('t_read_positive'), run('t_sum'), run('t_add', 2n), run('t_sync'), run('t_read'), run('t_initialized'), run('t_destroy'), run('t_initialized'), run('t_add', 1n), run('t_destroy'));
}
