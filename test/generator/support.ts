/** Runs the generator on a fixture: the real templates/ with the fixture's files laid over them. */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate, type ArchOutput } from '../../generator/generate.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.join(ROOT, 'test/generator/fixtures');

export function fixtureNames(prefix: string): string[] {
  return readdirSync(FIXTURES).filter((d) => d.startsWith(prefix) && statSync(path.join(FIXTURES, d)).isDirectory()).sort();
}

/** A copy of templates/ overlaid with the fixture's files, inside the repo so names stay repo-relative. */
export function overlayTemplates(fixture: string | null): string {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'percpu-fixture-'));
  const dir = path.join(scratch, 'templates');
  cpSync(path.join(ROOT, 'templates'), dir, { recursive: true });
  if (fixture === null) return dir;
  const src = path.join(FIXTURES, fixture);
  for (const sub of ['x86_64', 'linux']) {
    if (existsSync(path.join(src, sub))) cpSync(path.join(src, sub), path.join(dir, sub), { recursive: true });
  }
  return dir;
}

/** Generates x86_64 from a fixture overlay; the root is the scratch folder so file names read templates/…. */
export async function generateFixture(fixture: string): Promise<ArchOutput[]> {
  const templatesDir = overlayTemplates(fixture);
  const scratch = path.dirname(templatesDir);
  try {
    return await generate({ root: ROOT, templatesDir, arches: ['x86_64'], displayRoot: scratch });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
