#!/usr/bin/env node
// percpu-gen: the op generator (generator/cli.ts).
import { launch } from './launch.mjs';

await launch('generator/cli');
