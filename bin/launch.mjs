// Runs one of the package's commands, `entry` being its module without extension
// (`generator/cli`), whose main(argv) returns the exit status. In a checkout
// (tsconfig.json beside bin/) the TypeScript sources run through tsx: the
// development loop, no build step. In an installed package, which ships no
// tsconfig.json, the compiled JavaScript in dist/ runs on plain Node.
//
// A command that imports no TypeScript while it runs (percpu-cc reads C and
// writes TypeScript, percpu-gen reads C tables and writes TypeScript; neither
// loads any) runs in a checkout from one ES module
// bundled from its sources with esbuild, the compiler tsx itself runs on, and
// kept in .percpu-cc/: registering tsx starts its loader thread and sends
// every import through it, a third of a second before the command does any
// work (measured on the 500-line translation of `make bench`). The bundle is
// made again whenever the text of a source it was made from has changed, so
// an edit takes effect on the next run, as under tsx.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The commands run from a bundle in a checkout. */
const BUNDLED = new Set(['cc/cli', 'generator/cli']);

export async function launch(entry) {
  const root = new URL('../', import.meta.url);
  let mod;
  if (existsSync(new URL('tsconfig.json', root))) {
    // A checkout where the bundle cannot be made or written (a read-only folder, a source esbuild
    // refuses) runs under tsx as before, which reports a broken source as it always has.
    const bundled = BUNDLED.has(entry) ? await bundle(root, entry).catch(() => null) : null;
    if (bundled !== null) {
      mod = await import(bundled);
    } else {
      const { register } = await import('tsx/esm/api');
      register();
      mod = await import(new URL(`${entry}.ts`, root).href);
    }
  } else {
    mod = await import(new URL(`dist/${entry}.js`, root).href);
  }
  process.exitCode = await mod.main(process.argv.slice(2));
}

const sha1 = (text) => createHash('sha1').update(text).digest('hex');

function read(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The URL of `entry`'s bundle in `root`/.percpu-cc/bin/, made first when it is
 * missing or when one of the files it records (every source bundled, and
 * tsconfig.json, which esbuild reads) no longer has the text it was made from.
 * Each source's `import.meta.url` is its own file's URL in the bundle, so what
 * a module finds beside itself (the package root, a dependency) is what it
 * finds under tsx. Packages stay imports, resolved from the bundle's folder
 * inside the checkout as from the sources.
 */
export async function bundle(root, entry) {
  const dir = new URL('.percpu-cc/bin/', root);
  const name = entry.replaceAll('/', '-');
  const out = new URL(`${name}.mjs`, dir);
  const manifest = new URL(`${name}.json`, dir);
  const tsconfig = fileURLToPath(new URL('tsconfig.json', root));
  let recorded;
  try {
    recorded = JSON.parse(read(manifest) ?? 'null');
  } catch {
    recorded = null;
  }
  const fresh = recorded !== null && existsSync(out) && Object.entries(recorded).every(([f, h]) => {
    const text = read(f);
    return text !== undefined && sha1(text) === h;
  });
  if (fresh) return out.href;

  // esbuild as tsx depends on it: the version that compiles the sources for every other command.
  const esbuild = createRequire(createRequire(import.meta.url).resolve('tsx/package.json'))('esbuild');
  const hashes = { [tsconfig]: sha1(read(tsconfig) ?? '') };
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL(`${entry}.ts`, root))],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    tsconfig,
    write: false,
    outfile: fileURLToPath(out),
    logLevel: 'silent',
    plugins: [{
      name: 'own-import-meta-url',
      setup(b) {
        b.onLoad({ filter: /\.ts$/ }, (a) => {
          const text = readFileSync(a.path, 'utf8');
          hashes[a.path] = sha1(text);
          return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(a.path).href)), loader: 'ts' };
        });
      },
    }],
  });
  mkdirSync(dir, { recursive: true });
  // Whole files, renamed into place: a concurrent run reads the old pair or the new one.
  const tmp = `.${process.pid}.tmp`;
  writeFileSync(fileURLToPath(out) + tmp, result.outputFiles[0].text);
  renameSync(fileURLToPath(out) + tmp, fileURLToPath(out));
  writeFileSync(fileURLToPath(manifest) + tmp, JSON.stringify(hashes));
  renameSync(fileURLToPath(manifest) + tmp, fileURLToPath(manifest));
  return out.href;
}
