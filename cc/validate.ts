/**
 * The check every translated module passes before anything is written: the
 * one type-check of emitted TypeScript (generator/typecheck.ts, which the op
 * generator uses too) against the runtime, zero diagnostics, and a walk of its
 * AST that proves per-CPU ops are bound once from the architecture table,
 * never looked up per call. The generated op modules (1.7 MB) are replaced by
 * declarations of the ops the module calls, taken from those very files
 * (`extra`, cc/compile.ts).
 */
import path from 'node:path';
import type { ts as TS } from 'ts-morph';
import { typeCheck, type ModuleText } from '../generator/typecheck.js';

export { compilerOptions, type ModuleText } from '../generator/typecheck.js';

export interface CheckResult {
  /** At most 20 diagnostics per module, then the no-dispatch findings. */
  readonly problems: readonly string[];
  /** Milliseconds: loading the compiler (0 once loaded), the imported sources' declarations (from the cache, or made), building the program (parsing), checking. */
  readonly timings: { readonly load: number; readonly declarations: number; readonly program: number; readonly check: number };
  /** The declarations were made in this run (no cache, or a stale one). */
  readonly declarationsMade: boolean;
}

/**
 * Type-checks the modules (zero diagnostics) and applies the no-dispatch rule.
 * `extra` are further in-memory files they import (the op declarations);
 * `cacheDir` holds the compiler's code cache and the imported sources'
 * declarations. The sources the modules import from the `declared` folders
 * (the runtime's) are read as declarations; any other (a --stubs module, one
 * a test writes) as it is, so that a passing file never makes the cache again.
 */
export function checkModules(mods: readonly ModuleText[], extra: readonly (readonly [string, string])[], cacheDir: string, declared: readonly string[] = []): CheckResult {
  // `.mts`: a translated module is ESM wherever it is written, whatever package.json says there.
  const r = typeCheck(mods.map((m) => ({ file: m.file.replace(/\.ts$/, '.mts'), text: m.text })), { extra, cacheDir, declared });
  const { ts } = r;
  const problems: string[] = [];
  mods.forEach((m, i) => {
    const name = path.basename(m.file);
    const { file: src, diagnostics } = r.modules[i]!;
    for (const d of diagnostics) {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      problems.push(`${name}:${line}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
    const visit = (n: TS.Node): void => {
      // No dispatch on per-CPU accesses: an op is never looked up per call.
      if (ts.isElementAccessExpression(n) && !['ARCH_OPS', 'warnings'].includes(n.expression.getText(src))) {
        problems.push(`${name}: element access ${n.getText(src)}: per-CPU ops are bound once, never looked up`);
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  });
  return { problems, timings: r.timings, declarationsMade: r.declarationsMade };
}
