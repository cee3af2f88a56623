/**
 * The one type-check of emitted TypeScript (generator/typecheck.ts) with the
 * compiler's incremental build: a module checked before is not checked again
 * while its text and everything it depends on are unchanged, and a change to
 * either is always seen.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { typeCheck, type ModuleText } from '../../generator/typecheck.js';

const CACHE = mkdtempSync(path.join(tmpdir(), 'percpu-typecheck-'));
afterAll(() => rmSync(CACHE, { recursive: true, force: true }));

const dir = (name: string): string => path.join(CACHE, name);

/** Module a imports b's `width`; what a's diagnostics say, and how many modules the run checked. */
function run(folder: string, b: string, a = 'import { width } from "./b.mjs";\nexport const w: number = width;\n'): { problems: string[]; checked: number } {
  const mods: ModuleText[] = [
    { file: path.join(folder, 'a.mts'), text: a },
    { file: path.join(folder, 'b.mts'), text: b },
  ];
  const r = typeCheck(mods, { cacheDir: CACHE, incremental: true });
  const problems = r.modules.flatMap((m) => m.diagnostics.map((d) => `${path.basename(m.file.fileName)}: TS${d.code}: ${r.ts.flattenDiagnosticMessageText(d.messageText, '\n')}`));
  return { problems, checked: r.checked };
}

describe('incremental type-check', () => {
  it('checks every module the first time, none when nothing changed, and what a change can affect', () => {
    const f = dir('one');
    expect(run(f, 'export const width: number = 4;\n')).toEqual({ problems: [], checked: 2 });
    expect(run(f, 'export const width: number = 4;\n')).toEqual({ problems: [], checked: 0 });
    // Without emit the build keeps no declaration signatures, so any change to b checks what imports b too.
    expect(run(f, 'export const width: number = 8;\n')).toEqual({ problems: [], checked: 2 });
    // A module nothing imports is checked alone.
    expect(run(f, 'export const width: number = 8;\n', 'import { width } from "./b.mjs";\nexport const v: number = width;\n')).toEqual({ problems: [], checked: 1 });
  });

  it('sees a change in a dependency of an unchanged module', () => {
    const f = dir('two');
    expect(run(f, 'export const width: number = 4;\n').problems).toEqual([]);
    // a's text is the same as in the passing run; b now exports a string, which a cannot take.
    expect(run(f, 'export const width: string = "4";\n')).toEqual({
      problems: ["a.mts: TS2322: Type 'string' is not assignable to type 'number'."],
      checked: 2,
    });
    // A failing module's diagnostics are kept too: the next unchanged run reports them without checking.
    expect(run(f, 'export const width: string = "4";\n')).toEqual({
      problems: ["a.mts: TS2322: Type 'string' is not assignable to type 'number'."],
      checked: 0,
    });
    expect(run(f, 'export const width: number = 4;\n')).toEqual({ problems: [], checked: 2 });
  });

  it('sees a change in the module itself', () => {
    const f = dir('three');
    expect(run(f, 'export const width: number = 4;\n').problems).toEqual([]);
    expect(run(f, 'export const width: number = 4;\n', 'import { width } from "./b.mjs";\nexport const w: boolean = width;\n').problems).toEqual([
      "a.mts: TS2322: Type 'number' is not assignable to type 'boolean'.",
    ]);
  });

  it('keeps the newest eight build files in the cache folder', () => {
    // Each run takes milliseconds, so the files' modification times order them.
    for (let i = 0; i < 10; i++) run(dir(`prune-${i}`), 'export const width: number = 4;\n');
    const left = readdirSync(CACHE).filter((x) => x.startsWith('check-') && x.endsWith('.tsbuildinfo'));
    expect(left.length).toBe(8);
    // The newest run's file is among them: running it again checks nothing.
    expect(run(dir('prune-9'), 'export const width: number = 4;\n').checked).toBe(0);
  });
});
