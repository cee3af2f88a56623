/** The architectures a machine can have; each has its own generated ops (generated/<arch>/). */
export type Arch = 'x86_64' | 'arm64' | 'generic';
/** Every {@link Arch}. */
export const ARCHES: readonly Arch[] = ['x86_64', 'arm64', 'generic'];
