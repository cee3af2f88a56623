/**
 * The C front end's type half: the type model (types.ts), gcc's LP64 layout
 * (layout.ts), scopes and type names (scope.ts) and the kernel's own types for
 * a configuration (kernel-types.ts). Pure TypeScript, no dependencies.
 */
export * from './types.js';
export * from './layout.js';
export * from './scope.js';
export * from './kernel-types.js';
