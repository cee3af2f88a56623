/**
 * The syntax tree of a preprocessed C translation unit, as c/parse.ts builds
 * it: every node carries the source location of its first token.
 */
import type { Loc } from './lex.js';

/** Declaration specifiers and declarators, before types are resolved. */
export type TypeSpec =
  | { readonly k: 'base'; readonly words: readonly string[]; readonly loc: Loc }
  | { readonly k: 'typedef'; readonly name: string; readonly loc: Loc }
  | { readonly k: 'typeof'; readonly expr: Expr | null; readonly type: TypeName | null; readonly loc: Loc }
  | { readonly k: 'enum'; readonly name: string | null; readonly items: readonly EnumItem[] | null; readonly loc: Loc }
  | { readonly k: 'struct'; readonly union: boolean; readonly name: string | null; readonly fields: readonly Decl[] | null; readonly attrs?: readonly Attr[]; readonly loc: Loc };

export interface EnumItem {
  readonly name: string;
  readonly value: Expr | null;
  readonly loc: Loc;
}

/** Derivations applied to the base type, outermost last (as read: `*p[3]` is array of pointer). */
export type Deriv =
  | { readonly k: 'ptr'; readonly quals: readonly string[] }
  | { readonly k: 'array'; readonly size: Expr | null }
  | { readonly k: 'func'; readonly params: readonly Param[]; readonly variadic: boolean };

export interface Param {
  readonly name: string | null;
  readonly spec: Specifiers;
  readonly derivs: readonly Deriv[];
  readonly loc: Loc;
}

export interface Specifiers {
  readonly type: TypeSpec;
  readonly storage: readonly string[];
  readonly quals: readonly string[];
  readonly attrs: readonly Attr[];
  readonly inline: boolean;
  readonly loc: Loc;
}

export interface Attr {
  readonly name: string;
  readonly args: readonly Expr[];
  readonly loc: Loc;
}

export interface TypeName {
  readonly spec: Specifiers;
  readonly derivs: readonly Deriv[];
  readonly loc: Loc;
}

export interface Declarator {
  readonly name: string;
  readonly derivs: readonly Deriv[];
  readonly init: Init | null;
  readonly attrs: readonly Attr[];
  readonly loc: Loc;
}

export type Init =
  | { readonly k: 'expr'; readonly expr: Expr; readonly loc: Loc }
  | { readonly k: 'list'; readonly items: readonly InitItem[]; readonly loc: Loc };

export interface InitItem {
  readonly designators: readonly Designator[];
  readonly init: Init;
}

export type Designator = { readonly k: 'field'; readonly name: string; readonly loc: Loc } | { readonly k: 'index'; readonly index: Expr; readonly loc: Loc };

export interface Decl {
  readonly k: 'decl';
  readonly spec: Specifiers;
  readonly declarators: readonly Declarator[];
  readonly loc: Loc;
}

export type Expr =
  | { readonly k: 'num'; readonly text: string; readonly loc: Loc }
  | { readonly k: 'char'; readonly text: string; readonly loc: Loc }
  | { readonly k: 'str'; readonly text: string; readonly loc: Loc }
  | { readonly k: 'id'; readonly name: string; readonly loc: Loc }
  | { readonly k: 'unary'; readonly op: string; readonly arg: Expr; readonly loc: Loc }
  | { readonly k: 'postfix'; readonly op: '++' | '--'; readonly arg: Expr; readonly loc: Loc }
  | { readonly k: 'binary'; readonly op: string; readonly left: Expr; readonly right: Expr; readonly loc: Loc }
  | { readonly k: 'assign'; readonly op: string; readonly left: Expr; readonly right: Expr; readonly loc: Loc }
  | { readonly k: 'cond'; readonly test: Expr; readonly then: Expr; readonly else: Expr; readonly loc: Loc }
  | { readonly k: 'comma'; readonly left: Expr; readonly right: Expr; readonly loc: Loc }
  | { readonly k: 'cast'; readonly type: TypeName; readonly arg: Expr; readonly loc: Loc }
  | { readonly k: 'sizeof'; readonly type: TypeName | null; readonly arg: Expr | null; readonly align: boolean; readonly loc: Loc }
  | { readonly k: 'call'; readonly fn: Expr; readonly args: readonly Expr[]; readonly loc: Loc }
  | { readonly k: 'index'; readonly base: Expr; readonly index: Expr; readonly loc: Loc }
  | { readonly k: 'member'; readonly base: Expr; readonly name: string; readonly arrow: boolean; readonly loc: Loc }
  | { readonly k: 'stmtexpr'; readonly body: Block; readonly loc: Loc }
  | { readonly k: 'compound'; readonly type: TypeName; readonly init: Init; readonly loc: Loc }
  | { readonly k: 'offsetof'; readonly type: TypeName; readonly path: readonly Designator[]; readonly loc: Loc };

export interface Block {
  readonly k: 'block';
  readonly items: readonly Stmt[];
  readonly loc: Loc;
}

export type Stmt =
  | Block
  | Decl
  | { readonly k: 'expr'; readonly expr: Expr; readonly loc: Loc }
  | { readonly k: 'empty'; readonly loc: Loc }
  | { readonly k: 'if'; readonly test: Expr; readonly then: Stmt; readonly else: Stmt | null; readonly loc: Loc }
  | { readonly k: 'while'; readonly test: Expr; readonly body: Stmt; readonly loc: Loc }
  | { readonly k: 'do'; readonly body: Stmt; readonly test: Expr; readonly loc: Loc }
  | { readonly k: 'for'; readonly init: Decl | Expr | null; readonly test: Expr | null; readonly step: Expr | null; readonly body: Stmt; readonly loc: Loc }
  | { readonly k: 'switch'; readonly test: Expr; readonly body: Stmt; readonly loc: Loc }
  | { readonly k: 'case'; readonly value: Expr | null; readonly high: Expr | null; readonly body: Stmt; readonly loc: Loc }
  | { readonly k: 'break'; readonly loc: Loc }
  | { readonly k: 'continue'; readonly loc: Loc }
  | { readonly k: 'return'; readonly value: Expr | null; readonly loc: Loc }
  | { readonly k: 'goto'; readonly label: string; readonly loc: Loc }
  | { readonly k: 'label'; readonly label: string; readonly body: Stmt; readonly loc: Loc };

export interface FuncDef {
  readonly k: 'func';
  readonly spec: Specifiers;
  readonly declarator: Declarator;
  readonly body: Block;
  readonly loc: Loc;
}

/** The project's harness form: `__percpu_sim__(kind, args…);` at file scope (see c/include/percpu-sim.h). */
export interface Harness {
  readonly k: 'harness';
  readonly kind: string;
  readonly args: readonly Expr[];
  readonly loc: Loc;
}

export type TopLevel = Decl | FuncDef | Harness;

export interface TranslationUnit {
  readonly items: readonly TopLevel[];
}
