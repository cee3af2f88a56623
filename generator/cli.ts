/**
 * percpu-gen: generate the per-CPU op modules from the C tables.
 *
 *   percpu-gen                 regenerate generated/ (every architecture)
 *   percpu-gen --check         fail if generated/ was edited by hand or is out of date
 *   percpu-gen --out DIR       write somewhere else
 *   percpu-gen --arch x86_64   only this architecture (repeatable)
 *   percpu-gen --templates DIR read tables and templates from DIR
 *   percpu-gen --timings       also print milliseconds per phase and architecture
 *
 * Exit status: 0 success, 1 check failed, 2 bad input (reported as file:line).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenError } from '../c/errors.js';
import { availableArches } from './arches.js';
import { assertOwnOutput, checkAgainst, ForeignOutputError, writeAll } from './output.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Args {
  check: boolean;
  out: string;
  arches: string[] | undefined;
  templates: string | undefined;
  timings: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { check: false, out: path.join(ROOT, 'generated'), arches: undefined, templates: undefined, timings: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value`);
      return v;
    };
    if (k === '--check') a.check = true;
    else if (k === '--out') a.out = path.resolve(value());
    else if (k === '--arch') {
      const arch = value();
      // Given twice, an architecture is still generated (and listed) once.
      if (!(a.arches ??= []).includes(arch)) a.arches.push(arch);
    }
    else if (k === '--templates') a.templates = path.resolve(value());
    else if (k === '--timings') a.timings = true;
    else if (k === '--help' || k === '-h') {
      process.stdout.write('usage: percpu-gen [--check] [--out DIR] [--arch NAME]... [--templates DIR] [--timings]\n');
      process.exit(0);
    } else throw new Error(`unknown option '${k}' (see --help)`);
  }
  return a;
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`percpu-gen: ${(e as Error).message}\n`);
    return 2;
  }
  const outDisplay = displayPath(args.out);
  if (args.templates !== undefined) {
    if (!existsSync(args.templates) || !statSync(args.templates).isDirectory()) {
      process.stderr.write(`percpu-gen: --templates ${args.templates}: no such directory\n`);
      return 2;
    }
    if (availableArches(args.templates).length === 0) {
      process.stderr.write(`percpu-gen: --templates ${args.templates}: no architecture table in it (<arch>/percpu.h)\n`);
      return 2;
    }
  }
  if (!args.check) {
    // Refused before the (seconds long) generation, and again by writeAll itself.
    try {
      assertOwnOutput(args.out, outDisplay);
    } catch (e) {
      if (!(e instanceof ForeignOutputError)) throw e;
      process.stderr.write(`percpu-gen: ${e.message}\npercpu-gen: nothing was written\n`);
      return 2;
    }
  }
  const started = performance.now();
  try {
    // Loaded only now: the argument checks above answer without the compiler's start-up time.
    const { generate } = await import('./generate.js');
    const results = await generate({ root: ROOT, templatesDir: args.templates, outDir: args.out, arches: args.arches });
    const files = results.flatMap((r) => r.files);
    const count = results.reduce((n, r) => n + r.ops.length, 0);
    const ms = (performance.now() - started).toFixed(0);
    if (args.timings) {
      for (const r of results) {
        const t = Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
        process.stdout.write(`percpu-gen: ${r.arch}: ${t} ms\n`);
      }
    }
    if (args.check) {
      const display = path.relative(ROOT, args.out) || '.';
      const res = checkAgainst(args.out, display, files);
      if (!res.ok) {
        process.stderr.write(`${res.messages.join('\n')}\n`);
        return 1;
      }
      process.stdout.write(`percpu-gen: ${display}/ matches a fresh run (${files.length} files, ${count} ops, ${ms} ms)\n`);
      return 0;
    }
    writeAll(args.out, files, outDisplay);
    process.stdout.write(`percpu-gen: wrote ${files.length} files, ${count} ops per flavour, in ${ms} ms: ${files.map((f) => f.rel).join(', ')}\n`);
    return 0;
  } catch (e) {
    if (e instanceof GenError) {
      process.stderr.write(`${e.message}\npercpu-gen: nothing was written\n`);
      return 2;
    }
    process.stderr.write(`percpu-gen: ${(e as Error).message}\npercpu-gen: nothing was written\n`);
    return 2;
  }
}

/** A path as the user would write it: relative to the working directory when inside it. */
function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
