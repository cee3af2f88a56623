#!/usr/bin/env node
// percpu-cc: the C translator (cc/cli.ts).
import { launch } from './launch.mjs';

await launch('cc/cli');
