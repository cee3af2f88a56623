/**
 * A worker of the parallel exhaustive search (parallel.ts): takes tasks
 * (subtrees of a shipped scenario's search tree, see partition() in
 * explorer.ts) from the counter it shares with the other threads, explores
 * each and posts back its outcome; `done` once no task is left or the search
 * is over.
 */
import { parentPort } from 'node:worker_threads';
import { NEXT_TASK, SEARCH_OVER, runTask, type DoneMessage, type SearchMessage } from './parallel.js';
import { getScenario } from './scenarios/index.js';

const port = parentPort;
if (port !== null) {
  port.once('message', (msg: SearchMessage) => {
    const control = new Int32Array(msg.control);
    let index = -1;
    try {
      const s = getScenario(msg.scenario);
      for (;;) {
        if (Atomics.load(control, SEARCH_OVER) !== 0) break;
        const k = Atomics.add(control, NEXT_TASK, 1);
        if (k >= msg.tasks.length) break;
        index = msg.order[k]!;
        port.postMessage(runTask(s, msg, index));
      }
      const done: DoneMessage = { kind: 'done', index, error: null };
      port.postMessage(done);
    } catch (e) {
      const done: DoneMessage = { kind: 'done', index, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
      port.postMessage(done);
    }
  });
}
