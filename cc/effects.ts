/**
 * What a piece of C can change, decided on the syntax tree before it is
 * translated: whether an expression or a statement stores to memory or calls
 * anything that might, and which locals it assigns. The translator uses it
 * to prove that a value loaded from memory is still the value in memory at a
 * later load (Translator.shareLoad), which it may then reuse.
 *
 * Everything not known to be free of stores counts as a store: a call of any
 * function but the few below, an assignment to anything but a local, a loop,
 * a switch, a jump. The answers are only ever "certainly no store" or "maybe".
 */
import type { Block, Decl, Expr, Stmt } from '../c/ast.js';

/**
 * Calls that store nothing: the compiler builtins, and the per-CPU read ops
 * (`this_cpu_read()`, `raw_cpu_read()`, `__this_cpu_read()` and its debug
 * check), which only read this CPU's copy.
 */
function pureCall(e: Extract<Expr, { k: 'call' }>): boolean {
  if (e.fn.k !== 'id') return false;
  const name = e.fn.name;
  if (name === '__builtin_expect' || name === '__builtin_constant_p' || name === '__this_cpu_preempt_check') return true;
  if (name === '__pcpu_size_call_return') {
    const stem = e.args[0];
    return stem !== undefined && stem.k === 'id' && /^(?:this_cpu|raw_cpu|__this_cpu)_read_$/.test(stem.name);
  }
  return false;
}

/**
 * The expression stores nothing to memory and calls nothing that might; it
 * may assign locals (`isLocal` says which names are locals where it stands,
 * and names declared inside it are).
 */
export function storesNothing(e: Expr, isLocal: (name: string) => boolean): boolean {
  const declared = new Set<string>();
  const local = (x: Expr): boolean => x.k === 'id' && (declared.has(x.name) || isLocal(x.name));
  const expr = (x: Expr): boolean => {
    switch (x.k) {
      case 'num': case 'char': case 'str': case 'id': case 'sizeof': case 'offsetof': return true;
      case 'unary':
        if (x.op === '++' || x.op === '--') return local(x.arg);
        return expr(x.arg);
      case 'postfix': return local(x.arg);
      case 'assign': return local(x.left) && expr(x.right);
      case 'binary': return expr(x.left) && expr(x.right);
      case 'comma': return expr(x.left) && expr(x.right);
      case 'cond': return expr(x.test) && expr(x.then) && expr(x.else);
      case 'cast': return expr(x.arg);
      case 'member': return expr(x.base);
      case 'index': return expr(x.base) && expr(x.index);
      case 'call': return pureCall(x) && x.args.every(expr);
      case 'stmtexpr': return block(x.body);
      case 'compound': return false;
    }
  };
  const decl = (d: Decl): boolean => {
    if (d.spec.storage.includes('static') || d.spec.storage.includes('extern')) return false;
    return d.declarators.every((v) => {
      declared.add(v.name);
      return v.init === null || (v.init.k === 'expr' && expr(v.init.expr));
    });
  };
  const block = (b: Block): boolean => b.items.every((s) => {
    if (s.k === 'decl') return decl(s);
    if (s.k === 'expr') return expr(s.expr);
    if (s.k === 'if') return expr(s.test) && [s.then, s.else].every((t) => t === null || (t.k === 'expr' && expr(t.expr)));
    return s.k === 'empty';
  });
  return expr(e);
}

/**
 * Every path through the statement that reaches its end stores nothing (a
 * branch that leaves the function on every path, as `leaves` decides, may do
 * anything: nothing after it runs).
 */
export function storesNothingThrough(s: Stmt, isLocal: (name: string) => boolean, leaves: (s: Stmt) => boolean): boolean {
  switch (s.k) {
    case 'empty': return true;
    case 'expr': return storesNothing(s.expr, isLocal);
    case 'if':
      return storesNothing(s.test, isLocal)
        && [s.then, s.else].every((t) => t === null || leaves(t) || storesNothingThrough(t, isLocal, leaves));
    case 'block': return s.items.every((x) => x.k !== 'decl' && storesNothingThrough(x, isLocal, leaves));
    default: return false;
  }
}

/** The names the expression or statement assigns, increments, decrements or takes the address of. */
export function assigned(x: Expr | Stmt, out = new Set<string>()): Set<string> {
  const visit = (n: unknown): void => {
    if (n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      n.forEach(visit);
      return;
    }
    const o = n as { k?: string; op?: string; left?: Expr; arg?: Expr };
    // `&x` counts too: what it points to may be written through it (try_cmpxchg's &old).
    const target = o.k === 'assign' ? o.left : o.k === 'postfix' || (o.k === 'unary' && (o.op === '++' || o.op === '--' || o.op === '&')) ? o.arg : undefined;
    if (target !== undefined && target.k === 'id') out.add(target.name);
    for (const v of Object.values(o)) if (v !== null && typeof v === 'object') visit(v);
  };
  visit(x);
  return out;
}
