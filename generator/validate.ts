/**
 * Checks rendered modules before anything is written: ts-morph type-checks them
 * in memory against the runtime (zero diagnostics allowed), and walks each
 * generated function's AST to prove it does not dispatch: no switch, no lookup
 * table, no element access other than the memory views, and no call outside
 * the allow-list of primitives.
 */
import path from 'node:path';
import { Node, Project, SyntaxKind, type SourceFile } from 'ts-morph';
import { COMMON_PRIMITIVES } from './arches.js';

// Plus the kernel's __per_cpu_offset[] array, which asm-generic's raw_cpu_ptr() indexes by CPU number.
const MEMORY_VIEWS = new Set(['m.u8', 'm.u16', 'm.u32', 'm.u64', 'm.perCpuOffset']);

let project: Project | null = null;

function tsProject(root: string): Project {
  if (!project) {
    project = new Project({
      tsConfigFilePath: path.join(root, 'tsconfig.json'),
      skipAddingFilesFromTsConfig: true,
      manipulationSettings: {},
    });
  }
  return project;
}

export interface ModuleToCheck {
  /** Canonical repo-relative path (imports resolve from here). */
  readonly file: string;
  readonly text: string;
  readonly primitives: readonly string[];
  readonly flavour: 'fast' | 'stepped';
}

/** Type-checks and formats modules; returns the formatted text of each. */
export function validateModules(root: string, mods: readonly ModuleToCheck[]): string[] {
  const p = tsProject(root);
  const files = mods.map((m) => p.createSourceFile(path.join(root, m.file), m.text, { overwrite: true }));
  const problems: string[] = [];
  const diags = p.getPreEmitDiagnostics().filter((d) => files.includes(d.getSourceFile() as SourceFile));
  for (const d of diags.slice(0, 20)) {
    const f = d.getSourceFile();
    const where = f ? `${path.relative(root, f.getFilePath()).split(path.sep).join('/')}:${d.getLineNumber() ?? 0}` : '(project)';
    const text = d.getMessageText();
    problems.push(`${where}: TS${d.getCode()}: ${typeof text === 'string' ? text : text.getMessageText()}`);
  }
  mods.forEach((m, i) => problems.push(...dispatchProblems(m, files[i])));
  if (problems.length > 0) {
    for (const f of files) p.removeSourceFile(f);
    throw new Error(`generated code failed validation:\n${problems.join('\n')}`);
  }
  const out = files.map((f) => {
    f.formatText({ indentSize: 2, tabSize: 2, convertTabsToSpaces: true, ensureNewLineAtEndOfFile: true });
    return f.getFullText();
  });
  for (const f of files) p.removeSourceFile(f);
  return out;
}

/** The no-dispatch rule on one module's AST. */
export function dispatchProblems(m: { file: string; primitives: readonly string[]; flavour: 'fast' | 'stepped' }, sf: SourceFile): string[] {
  const allowed = new Set<string>([...COMMON_PRIMITIVES, ...m.primitives]);
  const problems: string[] = [];
  for (const fn of sf.getFunctions()) {
    const name = fn.getName() ?? '(anonymous)';
    const where = (n: Node): string => `${m.file}:${n.getStartLineNumber()}: ${name}`;
    fn.forEachDescendant((n) => {
      if (n.getKind() === SyntaxKind.SwitchStatement) problems.push(`${where(n)}: a switch is dispatch; a generated op is straight-line code for one op and width`);
      if (Node.isCallExpression(n)) {
        const callee = n.getExpression().getText();
        if (!allowed.has(callee)) problems.push(`${where(n)}: calls ${callee}(); generated ops may call only ${[...allowed].join(', ')}`);
      }
      if (Node.isElementAccessExpression(n) && !MEMORY_VIEWS.has(n.getExpression().getText())) {
        problems.push(`${where(n)}: element access on ${n.getExpression().getText()} is a lookup table; only the memory views ${[...MEMORY_VIEWS].join(', ')} may be indexed`);
      }
      if (Node.isObjectLiteralExpression(n) && !(m.flavour === 'stepped' && Node.isYieldExpression(n.getParent()))) {
        problems.push(`${where(n)}: an object literal in an op allocates (or is a lookup table)`);
      }
    });
  }
  return problems;
}

/** Checks committed output: parses it and applies the no-dispatch rule. */
export function checkCommittedDispatch(root: string, file: string, text: string, primitives: readonly string[], flavour: 'fast' | 'stepped'): string[] {
  const p = tsProject(root);
  const sf = p.createSourceFile(path.join(root, `${file}.check.ts`), text, { overwrite: true });
  try {
    return dispatchProblems({ file, primitives, flavour }, sf);
  } finally {
    p.removeSourceFile(sf);
  }
}
