/**
 * Family templates: one Handlebars file per macro family holding only the body
 * of the TypeScript translation. Each file opens with a header comment that
 * gives the family's C prototype, what it returns and a one-line description:
 *
 *   {{!--
 *   percpu_add_op(size, qual, var, val)
 *   returns: void
 *   One read-modify-write instruction on this CPU's copy. ...
 *   --}}
 *
 * Templates are looked up most specific first: templates/<arch>/families/,
 * then templates/linux/families/ (bodies every architecture shares). A body
 * may use another family's with a partial, `{{> percpu_unary_op op="inc"}}`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type Handlebars from 'handlebars';
import { GenError } from '../c/errors.js';
import { stripBom } from '../c/lex.js';
import { KNOWN_HELPERS } from './helpers.js';

export type Returns = 'void' | 'value' | 'bool';

export interface Family {
  readonly name: string;
  readonly params: readonly string[];
  readonly returns: Returns;
  readonly doc: string;
  /** Repo-relative path of the template. */
  readonly file: string;
  /** 1-based line of the template's first body line. */
  readonly bodyLine: number;
  readonly template: Handlebars.TemplateDelegate;
}

const HEADER = /^\{\{!--\n([\s\S]*?)\n--\}\}\n/;

/** Converts a Handlebars error (`Parse error on line 3` or `- 3:12`) into file:line. */
export function templateError(file: string, bodyLine: number, e: unknown): GenError {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /on line (\d+)/.exec(msg) ?? / - (\d+):\d+/.exec(msg);
  const rel = m ? Number(m[1]) : 1;
  const first = msg.split('\n')[0].replace(/^Parse error on line \d+:?\s*/, '');
  const last = msg.split('\n').slice(-1)[0] || first;
  const hint = /got 'EOF'/.test(last) ? ' (a {{#block}} is not closed)' : '';
  const detail = /Parse error/.test(msg) ? `template syntax error: ${last}${hint}` : `template error: ${first}`;
  return new GenError(file, bodyLine + rel - 1, detail);
}

export function loadFamilies(hb: typeof Handlebars, dirs: readonly string[], root: string): Map<string, Family> {
  const families = new Map<string, Family>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir).sort()) {
      if (!entry.endsWith('.hbs')) continue;
      const name = entry.slice(0, -4);
      if (families.has(name)) continue; // a more specific directory came first
      const abs = path.join(dir, entry);
      const file = path.relative(root, abs).split(path.sep).join('/');
      const src = stripBom(readFileSync(abs, 'utf8')).replace(/\r\n/g, '\n');
      const h = HEADER.exec(src);
      if (!h) throw new GenError(file, 1, 'a family template must open with a {{!-- name(params) / returns: … / description --}} header');
      const lines = h[1].split('\n').map((l) => l.trim()).filter((l) => l !== '');
      const proto = /^([A-Za-z_]\w*)\(([^)]*)\)$/.exec(lines[0] ?? '');
      if (!proto) throw new GenError(file, 2, `the header's first line must be the family's C prototype, name(params), got '${lines[0] ?? ''}'`);
      if (proto[1] !== name) throw new GenError(file, 2, `the prototype names '${proto[1]}' but the file is ${entry}: a template is named after its family`);
      const ret = /^returns:\s*(\w+)$/.exec(lines[1] ?? '');
      if (!ret || !['void', 'value', 'bool'].includes(ret[1])) {
        throw new GenError(file, 3, `the header's second line must be 'returns: void|value|bool', got '${lines[1] ?? ''}'`);
      }
      const params = proto[2].split(',').map((p) => p.trim()).filter((p) => p !== '');
      const bodyLine = h[0].split('\n').length;
      const body = src.slice(h[0].length);
      let template: Handlebars.TemplateDelegate;
      try {
        hb.parse(body);
        template = hb.compile(body, { strict: true, noEscape: true, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true, preventIndent: true });
        // compile() is lazy: precompile now so unknown helpers are reported at load.
        hb.precompile(body, { strict: true, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true });
      } catch (e) {
        throw templateError(file, bodyLine, e);
      }
      // Every family is also a partial, so one family's body can be another's,
      // as percpu_add_op is percpu_unary_op("inc"/"dec") or percpu_binary_op("add").
      hb.registerPartial(name, body);
      families.set(name, { name, params, returns: ret[1] as Returns, doc: lines.slice(2).join(' '), file, bodyLine, template });
    }
  }
  return families;
}
