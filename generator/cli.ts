/**
 * percpu-gen: generate the per-CPU op modules from the C tables.
 *
 *   percpu-gen                 regenerate generated/ (every architecture; in a checkout)
 *   percpu-gen --check         fail if the output was edited by hand or is out of date
 *   percpu-gen --out DIR       write somewhere else (required outside the repository)
 *   percpu-gen --arch x86_64   only this architecture (repeatable)
 *   percpu-gen --templates DIR read tables and templates from DIR
 *   percpu-gen --timings       also print milliseconds per phase and architecture
 *   percpu-gen init ARCH [--from x86_64|arm64|generic] [--templates DIR]
 *                              scaffold a new architecture from an existing one
 *
 * Output inside a checkout imports the runtime by relative path; anywhere
 * else it imports `percpu-ts/runtime`. In a checkout, the run that writes
 * (or checks) generated/ also writes (or checks) c/include/linux/atomic.h,
 * the C side of the same atomics table.
 *
 * Exit status: 0 success, 1 check failed, 2 bad input (reported as file:line).
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableArches } from './arches.js';
import { GenError } from '../c/errors.js';
import { initArch } from './init.js';
import { assertOwnOutput, checkAgainst, checkFile, ForeignOutputError, writeAll } from './output.js';
import { isCheckout, packageRoot } from './root.js';

const ROOT = packageRoot(import.meta.url);
const CHECKOUT = isCheckout(ROOT);

const USAGE = [
  'usage: percpu-gen [--check] [--out DIR] [--arch NAME]... [--templates DIR] [--timings]',
  '       percpu-gen init ARCH [--from x86_64|arm64|generic] [--templates DIR]',
].join('\n');

interface Args {
  check: boolean;
  out: string | undefined;
  arches: string[] | undefined;
  templates: string | undefined;
  timings: boolean;
}

/** Options as [name, value] pairs; flags get ''. Throws on an unknown option or a missing value. */
function parseOptions(argv: readonly string[], withValue: readonly string[], flags: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (flags.includes(k)) out.push([k, '']);
    else if (withValue.includes(k)) {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value`);
      out.push([k, v]);
    } else throw new Error(`unknown option '${k}' (see --help)`);
  }
  return out;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { check: false, out: undefined, arches: undefined, templates: undefined, timings: false };
  for (const [k, v] of parseOptions(argv, ['--out', '--arch', '--templates'], ['--check', '--timings'])) {
    if (k === '--check') a.check = true;
    else if (k === '--out') a.out = path.resolve(v);
    else if (k === '--arch') {
      // Given twice, an architecture is still generated (and listed) once.
      if (!(a.arches ??= []).includes(v)) a.arches.push(v);
    } else if (k === '--templates') a.templates = path.resolve(v);
    else a.timings = true;
  }
  return a;
}

export async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (argv[0] === 'init') return init(argv.slice(1));
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`percpu-gen: ${(e as Error).message}\n`);
    return 2;
  }
  if (args.out === undefined) {
    if (!CHECKOUT) {
      process.stderr.write('percpu-gen: --out DIR is required outside the repository (the package\'s own output is not rewritten)\n');
      return 2;
    }
    args.out = path.join(ROOT, 'generated');
  }
  const out = args.out;
  const outDisplay = displayPath(out);
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
      assertOwnOutput(out, outDisplay);
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
    const { ATOMIC_HEADER, renderAtomicHeader } = await import('./atomics.js');
    const results = await generate({
      root: ROOT,
      templatesDir: args.templates,
      outDir: out,
      arches: args.arches,
      // Input names read as the user would write them: relative to the templates folder's parent.
      displayRoot: args.templates === undefined ? ROOT : path.dirname(args.templates),
    });
    const files = results.flatMap((r) => r.files);
    // <linux/atomic.h> goes with the repository's own output: the translator reads it from c/include/.
    const headerFile = path.join(ROOT, ATOMIC_HEADER);
    const header = CHECKOUT && out === path.join(ROOT, 'generated')
      ? renderAtomicHeader(args.templates ?? path.join(ROOT, 'templates'), args.templates === undefined ? ROOT : path.dirname(args.templates), 'generator/cli.ts')
      : null;
    const count = results.reduce((n, r) => n + r.ops.length, 0);
    const ms = (performance.now() - started).toFixed(0);
    if (args.timings) {
      for (const r of results) {
        const t = Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ');
        process.stdout.write(`percpu-gen: ${r.arch}: ${t} ms\n`);
      }
    }
    if (args.check) {
      const display = CHECKOUT ? path.relative(ROOT, out) || '.' : outDisplay;
      const res = checkAgainst(out, display, files);
      const messages = [...res.messages, ...(header === null ? [] : checkFile(headerFile, ATOMIC_HEADER, header))];
      if (messages.length > 0) {
        process.stderr.write(`${messages.join('\n')}\n`);
        return 1;
      }
      process.stdout.write(`percpu-gen: ${display}/ ${header === null ? 'matches' : `and ${ATOMIC_HEADER} match`} a fresh run (${files.length} files, ${count} ops, ${ms} ms)\n`);
      return 0;
    }
    writeAll(out, files, outDisplay);
    if (header !== null) writeFileSync(headerFile, header);
    process.stdout.write(`percpu-gen: wrote ${files.length} files, ${count} ops per flavour, in ${ms} ms: ${files.map((f) => f.rel).join(', ')}${header === null ? '' : `, ${ATOMIC_HEADER}`}\n`);
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

/** percpu-gen init ARCH [--from NAME] [--templates DIR]. */
function init(argv: readonly string[]): number {
  try {
    const [arch, ...rest] = argv;
    if (arch === undefined || arch.startsWith('-')) throw new Error(`init needs the new architecture's name\n${USAGE}`);
    let from = 'generic';
    let templates = CHECKOUT ? path.join(ROOT, 'templates') : path.resolve('templates');
    for (const [k, v] of parseOptions(rest, ['--from', '--templates'], [])) {
      if (k === '--from') from = v;
      else templates = path.resolve(v);
    }
    const written = initArch({ arch, from, templatesDir: templates, sourceDir: path.join(ROOT, 'templates') });
    const shown = displayPath(templates);
    process.stdout.write(
      `percpu-gen: scaffolded ${arch} from ${from} in ${shown}/: ${written.join(', ')}\n` +
        `percpu-gen: next: edit ${shown}/${arch}/percpu.h and its families, then percpu-gen --templates ${shown} --arch ${arch} --out DIR\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(`percpu-gen: ${(e as Error).message}\n`);
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
