/**
 * Legal C the generator used to refuse (issue 10 item 17): a table whose last
 * #define has no final newline, a block comment spanning lines inside a
 * #define, a family template that starts with a UTF-8 byte order mark. Each
 * variant is made from the real tables at test time and must generate exactly
 * what the unmodified tables generate.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../generator/generate.js';
import { ROOT, overlayTemplates } from './support.js';

async function generateFrom(edit: (templates: string) => void): Promise<string[]> {
  const templatesDir = overlayTemplates(null);
  const scratch = path.dirname(templatesDir);
  try {
    edit(templatesDir);
    const out = await generate({ root: ROOT, templatesDir, arches: ['x86_64'], displayRoot: scratch });
    return out.flatMap((a) => a.files.map((f) => `${f.rel}\n${f.text}`));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function rewrite(file: string, f: (text: string) => string): void {
  writeFileSync(file, f(readFileSync(file, 'utf8')));
}

describe('legal C in the tables', () => {
  let reference: string[];
  beforeAll(async () => {
    reference = await generateFrom(() => {});
  });

  it('a table without a final newline', async () => {
    const out = await generateFrom((t) => rewrite(path.join(t, 'x86_64/percpu.h'), (s) => s.replace(/\n+$/, '')));
    expect(out).toEqual(reference);
  });

  it('a block comment spanning lines inside a #define', async () => {
    const out = await generateFrom((t) => rewrite(path.join(t, 'linux/percpu-defs.h'), (s) => {
      const last = s.replace(/\n+$/, '').split('\n');
      const i = last.length - 1;
      expect(last[i]).toMatch(/^#define this_cpu_dec_return\(pcp\)\s+this_cpu_add_return\(pcp, -1\)$/);
      last[i] = '#define this_cpu_dec_return(pcp) this_cpu_add_return(pcp, /* minus one:\n   the kernel writes it so too */ -1)';
      return `${last.join('\n')}\n`;
    }));
    expect(out).toEqual(reference);
  });

  it('a family template starting with a byte order mark', async () => {
    const out = await generateFrom((t) => rewrite(path.join(t, 'x86_64/families/percpu_add_op.hbs'), (s) => `\uFEFF${s}`));
    expect(out).toEqual(reference);
  });
});
