#!/usr/bin/env node
// Runs the simulator CLI (percpu-sim map | explore | demo) through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/percpu-sim.ts');
process.exitCode = await main(process.argv.slice(2));
