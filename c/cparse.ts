/**
 * Reads a kernel-style C header with tree-sitter's C grammar and returns its
 * function-like #defines, each with the file and line it came from, and its
 * #include lines. Only #defines, #includes and comments may appear in a table;
 * anything else, and any line the grammar cannot parse, stops generation with
 * `file:line`.
 */
import { createRequire } from 'node:module';
import { Language, Parser, type Node } from 'web-tree-sitter';
import { GenError } from './errors.js';
import { stripBom } from './lex.js';

export interface MacroDef {
  readonly name: string;
  readonly params: readonly string[];
  /** The replacement list, continuation lines joined, comments removed. */
  readonly body: string;
  readonly file: string;
  /** 1-based line of the `#define`. */
  readonly line: number;
  /** The whole definition as written (one line), for doc comments. */
  readonly text: string;
}

export interface Include {
  /** As written: `asm-generic/percpu.h` for `#include <asm-generic/percpu.h>`. */
  readonly path: string;
  readonly file: string;
  readonly line: number;
  /** Index in the header's definitions where the include stands. */
  readonly at: number;
}

export interface Header {
  readonly defs: MacroDef[];
  readonly includes: Include[];
}

let parser: Parser | null = null;

async function cParser(): Promise<Parser> {
  if (parser) return parser;
  await Parser.init();
  const require = createRequire(import.meta.url);
  const wasm = require.resolve('tree-sitter-c/tree-sitter-c.wasm');
  const p = new Parser();
  p.setLanguage(await Language.load(wasm));
  parser = p;
  return p;
}

/** Joins continuation lines and drops C comments from a replacement list. */
function cleanBody(raw: string): string {
  return raw
    .replace(/\\\r?\n/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/.*$/gm, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function firstError(n: Node): Node | null {
  if (n.type === 'ERROR' || n.isMissing) return n;
  for (const c of n.children) {
    if (c && c.hasError) {
      const e = firstError(c);
      if (e) return e;
    }
  }
  return n.hasError ? n : null;
}

/**
 * The text tree-sitter sees: what C's translation phases 1-3 leave of the
 * directives. tree-sitter's grammar ends a directive at a newline even inside a
 * block comment, and cannot end the last one at end of file; C says a comment
 * is one space and a file may end without a newline. So a byte order mark is
 * dropped, a block comment inside a directive becomes spaces with its newlines
 * spliced (backslash-newline: the line numbers stay), and a final newline is
 * added.
 */
export function tableText(raw: string): string {
  const text = stripBom(raw).replace(/\r\n?/g, '\n');
  let out = '';
  let i = 0;
  let directive = false;
  let lineStart = true;
  while (i < text.length) {
    const c = text[i];
    if (lineStart && c !== ' ' && c !== '\t') {
      directive = c === '#';
      lineStart = false;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      const comment = text.slice(i, stop);
      out += directive ? comment.replace(/[^\n]/g, ' ').replace(/\n/g, '\\\n') : comment;
      i = stop;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '\n') {
      if (!(text[i - 1] === '\\')) directive = false;
      lineStart = !directive;
    }
    out += c;
    i++;
  }
  return out.endsWith('\n') ? out : `${out}\n`;
}

export async function parseHeader(file: string, raw: string): Promise<Header> {
  const p = await cParser();
  const text = tableText(raw);
  const tree = p.parse(text);
  if (!tree) throw new GenError(file, 1, 'the C parser returned no tree');
  const defs: MacroDef[] = [];
  const includes: Include[] = [];
  for (const node of tree.rootNode.children) {
    if (!node) continue;
    const line = node.startPosition.row + 1;
    if (node.type === 'comment') continue;
    if (node.hasError || node.type === 'ERROR') {
      const e = firstError(node) ?? node;
      const snippet = text.split('\n')[e.startPosition.row]?.trim() ?? '';
      throw new GenError(file, e.startPosition.row + 1, `malformed line: cannot parse '${snippet}' as a #define`);
    }
    if (node.type === 'preproc_include') {
      const p = node.childForFieldName('path')?.text ?? '';
      includes.push({ path: p.slice(1, -1), file, line, at: defs.length });
      continue;
    }
    if (node.type === 'preproc_def') {
      const name = node.childForFieldName('name')?.text ?? '?';
      throw new GenError(file, line, `'${name}' is an object-like #define: a table holds only function-like macros, name(params) body`);
    }
    if (node.type !== 'preproc_function_def') {
      throw new GenError(file, line, `unexpected ${node.type.replace(/_/g, ' ')}: a table holds only #define, #include and comment lines`);
    }
    const name = node.childForFieldName('name')!.text;
    const paramsNode = node.childForFieldName('parameters')!;
    const params = paramsNode.namedChildren.filter((c): c is Node => c !== null && c.type === 'identifier').map((c) => c.text);
    const valueNode = node.childForFieldName('value');
    const body = valueNode ? cleanBody(valueNode.text) : '';
    if (body === '') throw new GenError(file, line, `#define ${name}(${params.join(', ')}) has an empty body`);
    defs.push({ name, params, body, file, line, text: `#define ${name}(${params.join(', ')}) ${body}` });
  }
  return { defs, includes };
}
