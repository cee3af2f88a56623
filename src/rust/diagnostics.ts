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

/** A resolved place in the user's source: `examples/talk-problem.ts:24:17`. */
export interface Position {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

const FRAME = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?\s*$/;

/**
 * Where the user called the API: the first stack frame outside src/rust/.
 * Capturing is cheap (V8 records the frames); formatting the stack — with
 * source maps under tsx/vitest — is not, so it happens only when a diagnostic
 * is printed. Callers still capture only in debug mode.
 */
export class SourceLoc {
  readonly #error: Error;
  #position: Position | null | undefined = undefined;

  constructor() {
    // The user's frame is at most a few calls above this one; a short trace is cheaper to capture.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 8;
    this.#error = new Error();
    Error.stackTraceLimit = limit;
  }

  get position(): Position | null {
    if (this.#position === undefined) this.#position = parseCaller(this.#error.stack);
    return this.#position;
  }
}

function parseCaller(stack: string | undefined): Position | null {
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

export function callerLocation(): SourceLoc {
  return new SourceLoc();
}

export function formatLoc(loc: SourceLoc | Position | null): string {
  const p = loc instanceof SourceLoc ? loc.position : loc;
  if (p === null) return '<unknown>';
  return `${relative(process.cwd(), p.file) || p.file}:${p.line}:${p.col}`;
}

function sourceLine(loc: Position): string | null {
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
export function renderDiagnostic(code: string, message: string, given: readonly Label[], notes: readonly string[], help: string | null): string {
  const out = [`error[${code}]: ${message}`];
  const labels = given.map((l) => ({ ...l, pos: l.loc === null ? null : l.loc.position }));
  type Resolved = (typeof labels)[number];
  const primary = labels.find((l) => l.primary && l.pos !== null) ?? labels.find((l) => l.pos !== null);
  const shown = labels.filter((l): l is Resolved & { pos: Position } => l.pos !== null && primary !== undefined && l.pos.file === primary.pos!.file);
  const extra: string[] = [];
  if (primary !== undefined) {
    const width = String(Math.max(...shown.map((l) => l.pos.line))).length;
    const pad = ' '.repeat(width);
    const header = out.length;
    out.push('', `${pad} |`);
    let primaryPos = primary.pos!;
    for (const l of [...shown].sort((a, b) => a.pos.line - b.pos.line)) {
      const src = sourceLine(l.pos);
      if (src === null) {
        extra.push(`${l.text}: ${formatLoc(l.pos)}`);
        continue;
      }
      let start = l.pos.col - 1;
      let len = /^[A-Za-z0-9_$]+/.exec(src.slice(start))?.[0].length ?? 1;
      const found = l.mark === null ? null : l.mark.exec(src);
      if (found !== null) {
        const name = found[1] ?? found[0];
        start = found.index + found[0].lastIndexOf(name);
        len = name.length;
      }
      if (l === primary) primaryPos = { ...l.pos, col: start + 1 };
      out.push(`${String(l.pos.line).padStart(width)} | ${src.trimEnd()}`);
      out.push(`${pad} | ${' '.repeat(start)}${(l.primary ? '^' : '-').repeat(len)} ${l.text}`);
    }
    out[header] = `${pad}--> ${formatLoc(primaryPos)}`;
    for (const l of labels) if (l.pos !== null && !(shown as Resolved[]).includes(l)) extra.push(`${l.text}: ${formatLoc(l.pos)}`);
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
