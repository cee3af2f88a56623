#!/usr/bin/env node
// Runs the generator CLI through tsx, so the TypeScript sources need no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../generator/cli.ts');
process.exitCode = await main(process.argv.slice(2));
