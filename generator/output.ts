/**
 * Writing generated files: a checksum trailer on each (so a hand edit is
 * caught), atomic writes (a temporary file renamed into place, and only after
 * every file rendered and validated), and the check that compares a fresh run
 * with what is committed.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const TRAILER = /^\/\/ sha256:([0-9a-f]{64})\n$/;

export function withChecksum(text: string): string {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  return `${body}// sha256:${createHash('sha256').update(body).digest('hex')}\n`;
}

/** null when the trailer matches, otherwise what is wrong. */
export function checksumProblem(text: string): string | null {
  const cut = text.lastIndexOf('\n', text.length - 2);
  const last = text.slice(cut + 1);
  const m = TRAILER.exec(last);
  if (!m) return 'it has no sha256 trailer';
  const body = text.slice(0, cut + 1);
  const want = createHash('sha256').update(body).digest('hex');
  return want === m[1] ? null : 'its content does not match its sha256 trailer (edited by hand?)';
}

export interface OutFile {
  /** Path relative to the output directory: `x86_64/percpu.ts`. */
  readonly rel: string;
  readonly text: string;
}

/** Writes every file atomically, then removes stale .ts files from the directories written. */
export function writeAll(outDir: string, files: readonly OutFile[]): void {
  const dirs = new Set<string>();
  for (const f of files) {
    const dest = path.join(outDir, f.rel);
    mkdirSync(path.dirname(dest), { recursive: true });
    dirs.add(path.dirname(dest));
    const tmp = `${dest}.tmp-${process.pid}`;
    writeFileSync(tmp, f.text);
    renameSync(tmp, dest);
  }
  const keep = new Set(files.map((f) => path.join(outDir, f.rel)));
  for (const d of dirs) {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      if (e.endsWith('.ts') && !keep.has(p)) rmSync(p);
    }
  }
}

function listTs(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listTs(p, base));
    else if (e.name.endsWith('.ts')) out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out.sort();
}

export interface CheckResult {
  readonly ok: boolean;
  readonly messages: string[];
}

/**
 * Compares fresh output with the committed directory: hand edits (checksum),
 * then drift (regenerate into a temporary folder and diff).
 */
export function checkAgainst(committedDir: string, displayDir: string, files: readonly OutFile[]): CheckResult {
  const messages: string[] = [];
  for (const rel of listTs(committedDir)) {
    const problem = checksumProblem(readFileSync(path.join(committedDir, rel), 'utf8'));
    if (problem) messages.push(`error: ${displayDir}/${rel} has been modified: ${problem}; regenerate with \`make generate\``);
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'percpu-gen-'));
  try {
    writeAll(tmp, files);
    const fresh = new Set(files.map((f) => f.rel));
    const committed = new Set(listTs(committedDir));
    const drift: string[] = [];
    for (const f of files) {
      const p = path.join(committedDir, f.rel);
      if (!existsSync(p)) drift.push(`missing: ${displayDir}/${f.rel}`);
      else if (readFileSync(p, 'utf8') !== f.text) drift.push(`differs: ${displayDir}/${f.rel}`);
    }
    for (const rel of committed) if (!fresh.has(rel)) drift.push(`not generated any more: ${displayDir}/${rel}`);
    if (drift.length > 0) {
      const d = spawnSync('diff', ['-ru', committedDir, tmp], { encoding: 'utf8' });
      const diffText = (d.stdout ?? '').split('\n').slice(0, 200).join('\n');
      messages.push(`error: ${displayDir}/ is out of date with templates/ and generator/ (${drift.join('; ')}); run \`make generate\` and commit`);
      if (diffText.trim() !== '') messages.push(diffText.replaceAll(tmp, '(fresh)'));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { ok: messages.length === 0, messages };
}
