// Runs one of the package's commands, `entry` being its module without extension
// (`generator/cli`), whose main(argv) returns the exit status. In a checkout
// (tsconfig.json beside bin/) the TypeScript sources run through tsx: the
// development loop, no build step. In an installed package, which ships no
// tsconfig.json, the compiled JavaScript in dist/ runs on plain Node.
import { existsSync } from 'node:fs';

export async function launch(entry) {
  const root = new URL('../', import.meta.url);
  let mod;
  if (existsSync(new URL('tsconfig.json', root))) {
    const { register } = await import('tsx/esm/api');
    register();
    mod = await import(new URL(`${entry}.ts`, root).href);
  } else {
    mod = await import(new URL(`dist/${entry}.js`, root).href);
  }
  process.exitCode = await mod.main(process.argv.slice(2));
}
