/**
 * Checks rendered modules before anything is written: ts-morph type-checks them
 * in memory against the runtime (zero diagnostics allowed), and walks each
 * generated function's AST to prove it does not dispatch: no switch, no lookup
 * table, no element access other than the memory views, and no call outside
 * the allow-list of primitives.
 */
import path from 'node:path';
import { Project, ts, type SourceFile } from 'ts-morph';
import { COMMON_PRIMITIVES } from './arches.js';
import { isCheckout } from './root.js';

// Plus the kernel's __per_cpu_offset[] array, which asm-generic's raw_cpu_ptr() indexes by CPU number.
const MEMORY_VIEWS = new Set(['m.u8', 'm.u16', 'm.u32', 'm.u64', 'm.perCpuOffset']);

let project: Project | null = null;

/**
 * The runtime that output generated outside the repository imports as
 * `percpu-ts/runtime`: its source in a checkout, its declarations in an
 * installed package.
 */
function runtimeTypes(root: string): string {
  return isCheckout(root) ? path.join(root, 'src', 'runtime.ts') : path.join(root, 'dist', 'src', 'runtime.d.ts');
}

/**
 * The options of tsconfig.json that matter to generated code, given here
 * because an installed package has no tsconfig.json. Generated ops and the
 * runtime modules they import use no Node API: leaving @types/node out saves
 * parsing it on every run.
 */
function tsProject(root: string): Project {
  if (!project) {
    project = new Project({
      skipAddingFilesFromTsConfig: true,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
        types: [],
        strict: true,
        isolatedModules: true,
        verbatimModuleSyntax: true,
        skipLibCheck: true,
        noEmit: true,
        paths: { 'percpu-ts/runtime': [runtimeTypes(root)] },
      },
    });
  }
  return project;
}

export interface ModuleToCheck {
  /** The module's name in messages: repo-relative inside the repository. */
  readonly file: string;
  /** Absolute path it is checked at (its imports resolve from there); default root/file. */
  readonly path?: string;
  readonly text: string;
  readonly primitives: readonly string[];
  readonly flavour: 'fast' | 'stepped' | 'typed';
}

/** Type-checks modules and applies the no-dispatch rule; returns their text unchanged. */
export function validateModules(root: string, mods: readonly ModuleToCheck[]): string[] {
  const p = tsProject(root);
  const files = mods.map((m) => p.createSourceFile(m.path ?? path.join(root, m.file), m.text, { overwrite: true }));
  const names = new Map(files.map((f, i) => [f.getFilePath(), mods[i].file]));
  const problems: string[] = [];
  const program = p.getProgram();
  const diags = files.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]);
  for (const d of diags.slice(0, 20)) {
    const f = d.getSourceFile();
    const name = f ? (names.get(f.getFilePath()) ?? path.relative(root, f.getFilePath()).split(path.sep).join('/')) : '';
    const where = f ? `${name}:${d.getLineNumber() ?? 0}` : '(project)';
    const text = d.getMessageText();
    problems.push(`${where}: TS${d.getCode()}: ${typeof text === 'string' ? text : text.getMessageText()}`);
  }
  mods.forEach((m, i) => problems.push(...dispatchProblems(m, files[i])));
  if (problems.length > 0) {
    for (const f of files) p.removeSourceFile(f);
    throw new Error(`generated code failed validation:\n${problems.join('\n')}`);
  }
  const out = mods.map((m) => m.text);
  for (const f of files) p.removeSourceFile(f);
  return out;
}

/** The no-dispatch rule on one module's AST. */
export function dispatchProblems(m: { file: string; primitives: readonly string[]; flavour: 'fast' | 'stepped' | 'typed' }, sf: SourceFile): string[] {
  const allowed = new Set<string>([...COMMON_PRIMITIVES, ...m.primitives]);
  const problems: string[] = [];
  const src = sf.compilerNode;
  // The compiler's own AST (ts.forEachChild): ts-morph wrappers for every node cost more than the type-check.
  for (const st of src.statements) {
    if (!ts.isFunctionDeclaration(st)) continue;
    const name = st.name?.text ?? '(anonymous)';
    const where = (n: ts.Node): string => `${m.file}:${src.getLineAndCharacterOfPosition(n.getStart(src)).line + 1}: ${name}`;
    const visit = (n: ts.Node): void => {
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
  const p = tsProject(root);
  const sf = p.createSourceFile(path.join(root, `${file}.check.ts`), text, { overwrite: true });
  try {
    return dispatchProblems({ file, primitives, flavour }, sf);
  } finally {
    p.removeSourceFile(sf);
  }
}
