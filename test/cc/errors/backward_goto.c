/*
 * check-name: only forward gotos (kernel error paths)
 * check-exit: 2
 * check-error: test/cc/errors/backward_goto.c:10:3: unsupported: goto again (a backward goto, or into a nested block), percpu-cc translates forward gotos to labels of an enclosing block (kernel error paths); write a loop instead
 */
int spin(int n) {
again:
	n--;
	if (n > 0)
		goto again;
	return n;
}
