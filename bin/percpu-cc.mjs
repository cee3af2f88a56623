#!/usr/bin/env node
// Runs the C translator CLI (percpu-cc file.c --out dir) through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cc/cli.ts');
process.exitCode = await main(process.argv.slice(2));
