/**
 * The borrow checker's errors, raised at run time. Rust rejects these programs
 * at compile time; TypeScript cannot express lifetimes, so the API tracks
 * moves and borrows itself and reports a violation in rustc's words, with the
 * source lines of the binding, the borrow and the move when it can find them.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A value moved or dropped, then used (rustc E0382). */
export class MovedValueError extends Error {
  override name = 'MovedValueError';
}

/** A move or second borrow while a borrow is alive (rustc E0505, E0499). */
export class BorrowError extends Error {
  override name = 'BorrowError';
}

/**
 * Two live references to one CPU's copy of one variable through different
 * handles: what `PerCpu::get_mut`'s safety contract forbids (undefined
 * behaviour in Rust, which the compiler cannot see).
 */
export class AliasingError extends Error {
  override name = 'AliasingError';
}

/** A place in the user's source: `examples/talk-problem.ts:24:17`. */
export interface SourceLoc {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

const FRAME = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/;

/**
 * The first stack frame outside this API (src/rust/): where the user called it.
 * Costs one stack capture, so callers only ask in debug mode.
 */
export function callerLocation(): SourceLoc | null {
  const stack = new Error().stack;
  if (stack === undefined) return null;
  for (const line of stack.split('\n').slice(1)) {
    const m = FRAME.exec(line);
    if (m === null) continue;
    const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    if (/[\\/]src[\\/]rust[\\/]/.test(file) || file.includes('node_modules')) continue;
    return { file, line: Number(m[2]), col: Number(m[3]) };
  }
  return null;
}

export function formatLoc(loc: SourceLoc | null): string {
  if (loc === null) return '<unknown>';
  return `${relative(process.cwd(), loc.file) || loc.file}:${loc.line}:${loc.col}`;
}

function sourceLine(loc: SourceLoc): string | null {
  try {
    return readFileSync(loc.file, 'utf8').split('\n')[loc.line - 1] ?? null;
  } catch {
    return null;
  }
}

/** One labelled span of a diagnostic: `^^^` for the primary, `---` for the others. */
export interface Label {
  readonly loc: SourceLoc | null;
  /** Underline this text when it occurs on the line (the binding's name), else the word at the column. */
  readonly mark: RegExp | null;
  readonly primary: boolean;
  readonly text: string;
}

/**
 * Renders `error[CODE]: message` followed by the labelled source lines in the
 * layout rustc uses, and `= note`/`help` lines. A label whose location is
 * unknown (debug off, unreadable file) becomes a note.
 */
export function renderDiagnostic(code: string, message: string, labels: readonly Label[], notes: readonly string[], help: string | null): string {
  const out = [`error[${code}]: ${message}`];
  const primary = labels.find((l) => l.primary && l.loc !== null) ?? labels.find((l) => l.loc !== null);
  const shown = labels.filter((l) => l.loc !== null && primary !== undefined && l.loc.file === primary.loc!.file);
  const extra: string[] = [];
  if (primary !== undefined) {
    const width = String(Math.max(...shown.map((l) => l.loc!.line))).length;
    const pad = ' '.repeat(width);
    out.push(`${pad}--> ${formatLoc(primary.loc)}`, `${pad} |`);
    for (const l of [...shown].sort((a, b) => a.loc!.line - b.loc!.line)) {
      const src = sourceLine(l.loc!);
      if (src === null) {
        extra.push(`${l.text}: ${formatLoc(l.loc)}`);
        continue;
      }
      let start = l.loc!.col - 1;
      let len = /^[A-Za-z0-9_$]+/.exec(src.slice(start))?.[0].length ?? 1;
      const found = l.mark === null ? null : l.mark.exec(src);
      if (found !== null) {
        const name = found[1] ?? found[0];
        start = found.index + found[0].lastIndexOf(name);
        len = name.length;
      }
      out.push(`${String(l.loc!.line).padStart(width)} | ${src.trimEnd()}`);
      out.push(`${pad} | ${' '.repeat(start)}${(l.primary ? '^' : '-').repeat(len)} ${l.text}`);
    }
    for (const l of labels) if (l.loc !== null && !shown.includes(l)) extra.push(`${l.text}: ${formatLoc(l.loc)}`);
    out.push(`${pad} |`);
    for (const n of [...extra, ...notes]) out.push(`${pad} = note: ${n}`);
  } else {
    for (const n of [...labels.map((l) => l.text), ...notes]) out.push(`  = note: ${n}`);
  }
  if (help !== null) out.push(`help: ${help}`);
  return out.join('\n');
}

/** A regular expression matching `name` as a whole identifier. */
export function identifier(name: string): RegExp {
  return new RegExp(`(?<![A-Za-z0-9_$])${name.replace(/[$]/g, '\\$')}(?![A-Za-z0-9_$])`);
}
