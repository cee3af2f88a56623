/**
 * The README's TypeScript examples run as written (imports of 'percpu-ts' point
 * at src/index.ts), so what the README shows a user is what the code does.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const blocks = [...readFileSync(path.join(ROOT, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((b) => b[1])
  .filter((code) => code.includes("from 'percpu-ts'"));

describe('README examples', () => {
  it('has runnable examples', () => expect(blocks.length).toBeGreaterThanOrEqual(2));
  blocks.forEach((code, i) => {
    it(`example ${i + 1} runs`, async () => {
      const file = path.join(ROOT, 'test', `.readme-example-${i}.ts`);
      writeFileSync(file, code.replace("from 'percpu-ts'", "from '../src/index.js'"));
      try {
        const run = import(file);
        // The Problem! slide is meant to fail, in rustc's words.
        if (code.includes('num.drop()')) await expect(run).rejects.toThrow('error[E0505]: cannot move out of `num` because it is borrowed');
        else await run;
      } finally {
        rmSync(file, { force: true });
      }
    });
  });
});
