#!/usr/bin/env node
// percpu-sim: the simulator's commands, map | explore | demo (src/cli/percpu-sim.ts).
import { launch } from './launch.mjs';

await launch('src/cli/percpu-sim');
