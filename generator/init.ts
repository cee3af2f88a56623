/**
 * `percpu-gen init <arch>`: scaffolds a new architecture in a templates
 * folder from an existing one: its table (<arch>/percpu.h), its family
 * templates (<arch>/families/), and <arch>/arch.json, the addressing and
 * instruction spelling the generator needs beyond the table (ARCH_INFO's entry
 * for built-in architectures). The shared layers the table relies on
 * (linux/: the generic layer; generic/: asm-generic, when the table includes
 * it) are copied too when the folder lacks them, so the folder generates on
 * its own. Nothing is overwritten.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ARCH_FILE, ARCH_INFO, archInfo } from './arches.js';

export interface InitOptions {
  /** The new architecture's name (a folder name and the `arch` of its ops' doc comments). */
  readonly arch: string;
  /** The architecture to copy. */
  readonly from: string;
  /** The templates folder to scaffold in (created if missing). */
  readonly templatesDir: string;
  /** Where the existing architectures' templates are (the package's own templates/). */
  readonly sourceDir: string;
}

/** Files and folders written, relative to templatesDir, in the order written. */
export function initArch(o: InitOptions): string[] {
  if (!/^[a-z][a-z0-9_]*$/.test(o.arch)) throw new Error(`init: '${o.arch}' is not an architecture name (lower case letters, digits, _)`);
  if (o.arch in ARCH_INFO || o.arch === 'linux') throw new Error(`init: '${o.arch}' is built in; give the new architecture its own name`);
  const dest = path.join(o.templatesDir, o.arch);
  if (existsSync(dest)) throw new Error(`init: ${dest} already exists; nothing was written`);
  // The architecture to copy: from the target folder when it has one (a user's own), else the package's.
  const source = existsSync(path.join(o.templatesDir, o.from, 'percpu.h')) ? o.templatesDir : o.sourceDir;
  if (!existsSync(path.join(source, o.from, 'percpu.h'))) {
    throw new Error(`init: no architecture '${o.from}' to copy (known: ${Object.keys(ARCH_INFO).join(', ')})`);
  }
  const info = archInfo(source, o.from, source);
  const table = readFileSync(path.join(source, o.from, 'percpu.h'), 'utf8');
  const written: string[] = [];
  const created: string[] = [dest];
  try {
    mkdirSync(dest, { recursive: true });
    writeFileSync(
      path.join(dest, 'percpu.h'),
      `/* ${o.arch}: scaffolded by \`percpu-gen init ${o.arch} --from ${o.from}\` from templates/${o.from}/percpu.h; edit the rows below. */\n${table}`,
    );
    written.push(`${o.arch}/percpu.h`);
    if (existsSync(path.join(source, o.from, 'families'))) {
      cpSync(path.join(source, o.from, 'families'), path.join(dest, 'families'), { recursive: true });
      written.push(`${o.arch}/families/`);
    }
    const described = { name: o.arch, title: o.arch, machine: info.machine ?? info.name, ...without(info, ['name', 'title', 'machine']) };
    writeFileSync(path.join(dest, ARCH_FILE), `${JSON.stringify(described, null, 2)}\n`);
    written.push(`${o.arch}/${ARCH_FILE}`);
    const shared = ['linux', ...(/#include\s*<asm-generic\/percpu\.h>/.test(table) ? ['generic'] : [])];
    for (const dir of shared) {
      if (existsSync(path.join(o.templatesDir, dir))) continue;
      created.push(path.join(o.templatesDir, dir));
      cpSync(path.join(o.sourceDir, dir), path.join(o.templatesDir, dir), { recursive: true });
      written.push(`${dir}/`);
    }
  } catch (e) {
    for (const d of created) rmSync(d, { recursive: true, force: true });
    throw e;
  }
  return written;
}

function without<T extends object>(o: T, keys: readonly string[]): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k))) as Partial<T>;
}
