/*
 * check-name: bit-fields
 * check-exit: 2
 * check-error: test/cc/errors/bitfield.c:6:29: unsupported: bit-field 'flag', use a whole integer field and masks
 */
struct flags { unsigned int flag : 1; };
