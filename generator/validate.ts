/**
 * Checks rendered modules before anything is written: the one type-check of
 * emitted TypeScript (generator/typecheck.ts) checks them in memory against the
 * runtime (zero diagnostics allowed), and a walk of each generated function's
 * AST proves it does not dispatch: no switch, no lookup table, no element
 * access other than the memory views, and no call outside the allow-list of
 * primitives.
 */
import path from 'node:path';
import type { ts as TS } from 'ts-morph';
import { COMMON_PRIMITIVES } from './arches.js';
import { isCheckout } from './root.js';
import { typeCheck, typescript } from './typecheck.js';

// Plus the kernel's __per_cpu_offset[] array, which asm-generic's raw_cpu_ptr() indexes by CPU number.
const MEMORY_VIEWS = new Set(['m.u8', 'm.u16', 'm.u32', 'm.u64', 'm.perCpuOffset']);

/**
 * The runtime that output generated outside the repository imports as
 * `percpu-ts/runtime`: its source in a checkout, its declarations in an
 * installed package.
 */
function runtimeTypes(root: string): string {
  return isCheckout(root) ? path.join(root, 'src', 'runtime.ts') : path.join(root, 'dist', 'src', 'runtime.d.ts');
}

/** The compiler's code cache, the runtime's declarations and the incremental build files (a folder that cannot be written only means no cache). */
const cacheDir = (root: string): string => path.join(root, '.percpu-cc');

export interface ModuleToCheck {
  /** The module's name in messages: repo-relative inside the repository. */
  readonly file: string;
  /** Absolute path it is checked at (its imports resolve from there); default root/file. */
  readonly path?: string;
  readonly text: string;
  readonly primitives: readonly string[];
  readonly flavour: 'fast' | 'stepped' | 'typed';
}

/**
 * Type-checks modules and applies the no-dispatch rule; returns their text
 * unchanged. A module whose text and dependencies are those of a previous run
 * keeps that run's diagnostics (the compiler's incremental build); the
 * no-dispatch rule is applied to every module on every run.
 */
export function validateModules(root: string, mods: readonly ModuleToCheck[]): string[] {
  const r = typeCheck(mods.map((m) => ({ file: m.path ?? path.join(root, m.file), text: m.text })), {
    cacheDir: cacheDir(root),
    declared: isCheckout(root) ? [path.join(root, 'src')] : [],
    paths: { 'percpu-ts/runtime': [runtimeTypes(root)] },
    incremental: true,
  });
  const { ts } = r;
  const problems: string[] = [];
  for (const [i, { diagnostics }] of r.modules.entries()) {
    for (const d of diagnostics) {
      if (problems.length === 20) break;
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      problems.push(`${mods[i]!.file}:${line}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
  }
  mods.forEach((m, i) => problems.push(...dispatchProblems(ts, m, r.modules[i]!.file)));
  if (problems.length > 0) throw new Error(`generated code failed validation:\n${problems.join('\n')}`);
  return mods.map((m) => m.text);
}

/** The no-dispatch rule on one module's AST. */
export function dispatchProblems(ts: typeof TS, m: { file: string; primitives: readonly string[]; flavour: 'fast' | 'stepped' | 'typed' }, src: TS.SourceFile): string[] {
  const allowed = new Set<string>([...COMMON_PRIMITIVES, ...m.primitives]);
  const problems: string[] = [];
  // The compiler's own AST (ts.forEachChild): ts-morph wrappers for every node cost more than the type-check.
  for (const st of src.statements) {
    if (!ts.isFunctionDeclaration(st)) continue;
    const name = st.name?.text ?? '(anonymous)';
    const where = (n: TS.Node): string => `${m.file}:${src.getLineAndCharacterOfPosition(n.getStart(src)).line + 1}: ${name}`;
    const visit = (n: TS.Node): void => {
      if (ts.isSwitchStatement(n)) problems.push(`${where(n)}: a switch is dispatch; a generated op is straight-line code for one op and width`);
      if (ts.isCallExpression(n)) {
        const callee = n.expression.getText(src);
        // A typed-layer function makes one call, the sized op of its own name bound to the pointer,
        // and names a non-pointer pcp in its catch (typedPointerError).
        const bound = m.flavour === 'typed' && (callee === `(pcp.ops as OpTable).${name}` || callee === 'typedPointerError');
        if (!allowed.has(callee) && !bound) problems.push(`${where(n)}: calls ${callee}(); generated ops may call only ${[...allowed].join(', ')}`);
      }
      if (ts.isElementAccessExpression(n) && !MEMORY_VIEWS.has(n.expression.getText(src))) {
        problems.push(`${where(n)}: element access on ${n.expression.getText(src)} is a lookup table; only the memory views ${[...MEMORY_VIEWS].join(', ')} may be indexed`);
      }
      if (ts.isObjectLiteralExpression(n) && !(m.flavour === 'stepped' && ts.isYieldExpression(n.parent))) {
        problems.push(`${where(n)}: an object literal in an op allocates (or is a lookup table)`);
      }
      ts.forEachChild(n, visit);
    };
    ts.forEachChild(st, visit);
  }
  return problems;
}

/** Checks committed output: parses it and applies the no-dispatch rule. */
export function checkCommittedDispatch(root: string, file: string, text: string, primitives: readonly string[], flavour: 'fast' | 'stepped' | 'typed'): string[] {
  const ts = typescript(cacheDir(root));
  const sf = ts.createSourceFile(path.join(root, file), text, ts.ScriptTarget.ES2022, true);
  return dispatchProblems(ts, { file, primitives, flavour }, sf);
}
