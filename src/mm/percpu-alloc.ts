/**
 * The dynamic per-CPU allocator, after mm/percpu.c: alloc_percpu() hands out a
 * per-CPU pointer that is the same kind of offset as a static symbol's, so
 * per_cpu_ptr(), this_cpu_*() and every generated op accept either.
 *
 * Design (as the kernel):
 * - A *chunk* is one *unit* per CPU, each `unitSize` bytes, unit `cpu` at
 *   `chunk base + cpu * unitSize`. An allocation at offset `off` takes
 *   `[off, off + size)` in every unit, so one pointer reaches every CPU's copy
 *   through the same `__per_cpu_offset[cpu]` that static symbols use.
 * - The first chunk is `< static | reserved | dynamic >`. Nothing manages the
 *   static part; the reserved part is served by the reserved chunk
 *   (__alloc_reserved_percpu, module statics), the dynamic part by the first
 *   chunk. Both cover page-aligned regions whose head and tail outside their
 *   part are marked allocated, as pcpu_alloc_first_chunk() does.
 * - Each chunk has an allocation bitmap with one bit per 4 bytes (alloc_map),
 *   a boundary bitmap marking where each allocation starts and where the last
 *   one ends (bound_map), per-block hints for every 4 KiB block and the same
 *   hints for the whole chunk (chunk_md).
 * - Chunks live in slot lists ordered by their largest free run:
 *   `slot = max(fls(contig_bytes) - 5 + 2, 1)`, slot 0 for full chunks, and a
 *   last slot for fully free chunks. An allocation searches first-fit from
 *   pcpu_size_to_slot(size) upwards, skipping chunks whose hints rule a fit out,
 *   and creates a chunk when nothing fits.
 * - When a free leaves more than one chunk fully free, every fully free chunk
 *   but one (the spare) is released, as pcpu_balance_free() does.
 *
 * Where the simulation differs, and why:
 * - Balancing runs synchronously inside free_percpu() (the kernel defers it to
 *   a workqueue); the observable result is the same and tests stay deterministic.
 * - Hints are refreshed by rescanning the touched blocks instead of the
 *   kernel's incremental updates (and so no scan_hint is needed); the hints
 *   mean the same thing and steer the same first-fit search.
 * - Simulated memory can only grow at its end (m.mapArea), so a released
 *   chunk's address range cannot be unmapped. It is kept on a list and the next
 *   chunk created reuses the lowest such range (zeroed again) before any new
 *   memory is mapped.
 * - Pages count as populated when first allocated from (PFN_DOWN(off) to
 *   PFN_UP(off + size)); they are never depopulated (no memory pressure here).
 * - All requests are GFP_KERNEL (atomic=0).
 */
import { KernelBugError, MachineStateError, UseAfterFreeError } from '../errors.js';
import { PAGE_SIZE, alignUp } from '../linker.js';
import { PCPU_MIN_UNIT_SIZE, machineArg, type Machine } from '../machine.js';
import { PerMachine } from '../per-machine.js';
import { PerCpuPtr, checkPointer, isPoisoned, poison, setExtent } from '../percpu-ptr.js';
import { opsFor } from '../typed.js';
import { resolveType, type Resolved, type TypeArg } from '../ctype-spec.js';
import type { PtrTo } from '../define.js';
import { checkAllocName } from './alloc-name.js';
import { describe } from '../types.js';

/** The allocator's unit of allocation: one bitmap bit per 4 bytes. */
export const PCPU_MIN_ALLOC_SIZE = 4;
/** A hint block is a page: 1024 bits. */
export const PCPU_BITMAP_BLOCK_SIZE = PAGE_SIZE;
/** Allocation bits per bitmap block (mm/percpu-internal.h's PCPU_BITMAP_BLOCK_BITS): a page's worth of 4-byte units. */
export const PCPU_BITMAP_BLOCK_BITS = PCPU_BITMAP_BLOCK_SIZE / PCPU_MIN_ALLOC_SIZE;
/** Sizes 1–31 bytes share a slot. */
export const PCPU_SLOT_BASE_SHIFT = 5;
/** A chunk that fails a fit in a slot below this one is moved to slot 0. */
export const PCPU_SLOT_FAIL_THRESHOLD = 3;
/** "allocation failed" messages printed before "limit reached, disable warning". */
export const PCPU_WARN_LIMIT = 10;

/** The per-block (and per-chunk) hints of struct pcpu_block_md, in bits. */
export interface PcpuBlockMd {
  /** Largest free run (the first one if several are equally large). */
  contig_hint: number;
  contig_hint_start: number;
  /** Free bits at the start and at the end of the block. */
  left_free: number;
  right_free: number;
  /** First free bit (nr_bits when full). */
  first_free: number;
  nr_bits: number;
}

/** The function that made an allocation, for labels and the map. */
export type AllocFn = 'alloc_percpu' | '__alloc_percpu' | '__alloc_reserved_percpu';

interface PcpuAlloc {
  readonly id: number;
  readonly label: string;
  readonly ptr: PerCpuPtr<unknown>;
  readonly bitOff: number;
  readonly bits: number;
}

type ChunkKind = 'reserved' | 'first' | 'dynamic';

interface PcpuChunk {
  /** 'R' for the reserved chunk, 0 for the first chunk, 1… for created chunks (by creation). */
  readonly id: number | 'R';
  readonly kind: ChunkKind;
  /** Page-aligned address of unit 0's region; offsets in the bitmaps count from here. */
  readonly baseAddr: number;
  /** Bytes at the head and tail of the region that belong to someone else. */
  readonly startOffset: number;
  readonly endOffset: number;
  readonly nrBits: number;
  readonly nrPages: number;
  readonly alloc_map: Uint32Array;
  /** nrBits + 1 bits: an allocation's start bit, and the bit after its last. */
  readonly bound_map: Uint32Array;
  readonly md_blocks: PcpuBlockMd[];
  readonly chunk_md: PcpuBlockMd;
  free_bytes: number;
  readonly populated: Uint8Array;
  nr_populated: number;
  /** Live allocations by start bit. */
  readonly allocs: Map<number, PcpuAlloc>;
  /** The slot list the chunk is on (-1: on none, the reserved chunk). */
  listSlot: number;
}

interface PcpuGlobalStats {
  nr_alloc: number;
  nr_dealloc: number;
  nr_cur_alloc: number;
  nr_max_alloc: number;
  nr_chunks: number;
  nr_max_chunks: number;
  min_alloc_size: number;
  max_alloc_size: number;
}

interface PcpuState {
  readonly m: Machine;
  readonly base: number;
  readonly unitSize: number;
  readonly nrUnits: number;
  readonly reserved: PcpuChunk | null;
  readonly first: PcpuChunk;
  /** Every chunk that exists, in address order of creation (reserved, first, then created). */
  readonly chunks: PcpuChunk[];
  readonly slots: PcpuChunk[][];
  readonly freeSlot: number;
  /** Base addresses of released chunks, ascending: reused before mapping new memory. */
  readonly released: number[];
  nextChunkId: number;
  nextAllocId: number;
  readonly warnings: string[];
  warnLimit: number;
  readonly stats: PcpuGlobalStats;
}

const states = new PerMachine<PcpuState>('percpu-alloc');

// ---------------------------------------------------------------- bitmaps

function testBit(map: Uint32Array, i: number): boolean {
  return ((map[i >>> 5] >>> (i & 31)) & 1) === 1;
}

function setBit(map: Uint32Array, i: number): void {
  map[i >>> 5] |= 1 << (i & 31);
}

function clearBit(map: Uint32Array, i: number): void {
  map[i >>> 5] &= ~(1 << (i & 31));
}

function bitmapSet(map: Uint32Array, start: number, n: number): void {
  const end = start + n;
  let i = start;
  while (i < end) {
    if ((i & 31) === 0 && end - i >= 32) {
      map[i >>> 5] = 0xffffffff;
      i += 32;
    } else {
      setBit(map, i++);
    }
  }
}

function bitmapClear(map: Uint32Array, start: number, n: number): void {
  const end = start + n;
  let i = start;
  while (i < end) {
    if ((i & 31) === 0 && end - i >= 32) {
      map[i >>> 5] = 0;
      i += 32;
    } else {
      clearBit(map, i++);
    }
  }
}

function ctz(w: number): number {
  return 31 - Math.clz32(w & -w);
}

/** find_next_bit(): first set bit in [start, size), or size. */
function findNextBit(map: Uint32Array, size: number, start: number): number {
  let i = start;
  while (i < size) {
    const w = map[i >>> 5] >>> (i & 31);
    if (w !== 0) return Math.min(i + ctz(w), size);
    i = (i | 31) + 1;
  }
  return size;
}

/** find_next_zero_bit(): first clear bit in [start, size), or size. */
function findNextZeroBit(map: Uint32Array, size: number, start: number): number {
  let i = start;
  while (i < size) {
    const w = ~map[i >>> 5] >>> (i & 31);
    if (w !== 0) return Math.min(i + ctz(w), size);
    i = (i | 31) + 1;
  }
  return size;
}

// ---------------------------------------------------------------- hints and slots

function fls(x: number): number {
  return x === 0 ? 0 : 32 - Math.clz32(x);
}

function __pcpu_size_to_slot(size: number): number {
  return Math.max(fls(size) - PCPU_SLOT_BASE_SHIFT + 2, 1);
}

function pcpu_size_to_slot(st: PcpuState, size: number): number {
  return size === st.unitSize ? st.freeSlot : __pcpu_size_to_slot(size);
}

function pcpu_chunk_slot(st: PcpuState, c: PcpuChunk): number {
  if (c.free_bytes < PCPU_MIN_ALLOC_SIZE || c.chunk_md.contig_hint === 0) return 0;
  return pcpu_size_to_slot(st, c.chunk_md.contig_hint * PCPU_MIN_ALLOC_SIZE);
}

function emptyMd(nrBits: number): PcpuBlockMd {
  return { contig_hint: nrBits, contig_hint_start: 0, left_free: nrBits, right_free: nrBits, first_free: 0, nr_bits: nrBits };
}

/** pcpu_block_refresh_hint(): rescans one block's bits. */
function refreshBlock(c: PcpuChunk, index: number): void {
  const b = c.md_blocks[index];
  const start = index * PCPU_BITMAP_BLOCK_BITS;
  const end = start + PCPU_BITMAP_BLOCK_BITS;
  b.contig_hint = 0;
  b.contig_hint_start = 0;
  b.left_free = 0;
  b.right_free = 0;
  let pos = findNextZeroBit(c.alloc_map, end, start);
  b.first_free = pos - start;
  while (pos < end) {
    const stop = findNextBit(c.alloc_map, end, pos);
    const len = stop - pos;
    if (pos === start) b.left_free = len;
    if (stop === end) b.right_free = len;
    if (len > b.contig_hint) {
      b.contig_hint = len;
      b.contig_hint_start = pos - start;
    }
    pos = findNextZeroBit(c.alloc_map, end, stop);
  }
}

/** pcpu_chunk_refresh_hint(): the chunk's hints from its blocks' (runs may cross blocks). */
function refreshChunk(c: PcpuChunk): void {
  const md = c.chunk_md;
  md.contig_hint = 0;
  md.contig_hint_start = 0;
  md.first_free = c.nrBits;
  let run = 0;
  let runStart = 0;
  const consider = (start: number, len: number): void => {
    if (len > md.contig_hint) {
      md.contig_hint = len;
      md.contig_hint_start = start;
    }
  };
  for (let i = 0; i < c.md_blocks.length; i++) {
    const b = c.md_blocks[i];
    const blockStart = i * PCPU_BITMAP_BLOCK_BITS;
    if (md.first_free === c.nrBits && b.first_free < b.nr_bits) md.first_free = blockStart + b.first_free;
    if (run > 0) {
      if (b.left_free === b.nr_bits) {
        run += b.nr_bits;
        continue;
      }
      consider(runStart, run + b.left_free);
      run = 0;
    }
    consider(blockStart + b.contig_hint_start, b.contig_hint);
    if (b.right_free > 0) {
      run = b.right_free;
      runStart = blockStart + PCPU_BITMAP_BLOCK_BITS - b.right_free;
    }
  }
  if (run > 0) consider(runStart, run);
  md.left_free = c.alloc_map.length > 0 ? findNextBit(c.alloc_map, c.nrBits, 0) : 0;
  let last = c.nrBits;
  while (last > 0 && !testBit(c.alloc_map, last - 1)) last--;
  md.right_free = c.nrBits - last;
}

function refreshHints(c: PcpuChunk, bitOff: number, bits: number): void {
  const first = Math.floor(bitOff / PCPU_BITMAP_BLOCK_BITS);
  const last = Math.floor((bitOff + bits - 1) / PCPU_BITMAP_BLOCK_BITS);
  for (let i = first; i <= last; i++) refreshBlock(c, i);
  refreshChunk(c);
}

/** pcpu_check_block_hint(): can the hinted run hold `bits` at `alignBits` alignment? */
function checkBlockHint(md: PcpuBlockMd, bits: number, alignBits: number): boolean {
  if (md.contig_hint === 0) return false;
  const pad = alignUp(md.contig_hint_start, alignBits) - md.contig_hint_start;
  return pad + bits <= md.contig_hint;
}

/**
 * pcpu_find_block_fit(): walks the blocks from the chunk's first free bit using
 * the hints (a run carried across block boundaries, then each block's largest
 * run) and returns a bit from which a first-fit scan finds room, or -1.
 */
function findBlockFit(c: PcpuChunk, bits: number, alignBits: number): number {
  if (!checkBlockHint(c.chunk_md, bits, alignBits)) return -1;
  let carry = 0;
  let carryStart = 0;
  for (let i = Math.floor(c.chunk_md.first_free / PCPU_BITMAP_BLOCK_BITS); i < c.md_blocks.length; i++) {
    const b = c.md_blocks[i];
    const blockStart = i * PCPU_BITMAP_BLOCK_BITS;
    if (carry > 0) {
      carry += b.left_free;
      const pad = alignUp(carryStart, alignBits) - carryStart;
      if (carry >= pad + bits) return carryStart;
      if (b.left_free === b.nr_bits) continue;
    }
    if (checkBlockHint(b, bits, alignBits)) return blockStart + b.first_free;
    carry = b.right_free;
    carryStart = blockStart + PCPU_BITMAP_BLOCK_BITS - b.right_free;
  }
  return -1;
}

/** pcpu_find_zero_area(): first aligned run of `bits` clear bits at or after `start`. */
function findZeroArea(c: PcpuChunk, bits: number, alignBits: number, start: number): number {
  let pos = alignUp(start, alignBits);
  while (pos + bits <= c.nrBits) {
    const used = findNextBit(c.alloc_map, pos + bits, pos);
    if (used === pos + bits) return pos;
    pos = alignUp(findNextZeroBit(c.alloc_map, c.nrBits, used + 1), alignBits);
  }
  return -1;
}

// ---------------------------------------------------------------- chunks

function newChunk(id: number | 'R', kind: ChunkKind, baseAddr: number, regionBytes: number, startOffset: number, endOffset: number): PcpuChunk {
  const nrBits = regionBytes / PCPU_MIN_ALLOC_SIZE;
  const nrBlocks = regionBytes / PCPU_BITMAP_BLOCK_SIZE;
  const c: PcpuChunk = {
    id, kind, baseAddr, startOffset, endOffset, nrBits,
    nrPages: regionBytes / PAGE_SIZE,
    alloc_map: new Uint32Array(Math.ceil(nrBits / 32)),
    bound_map: new Uint32Array(Math.ceil((nrBits + 1) / 32)),
    md_blocks: Array.from({ length: nrBlocks }, () => emptyMd(PCPU_BITMAP_BLOCK_BITS)),
    chunk_md: emptyMd(nrBits),
    free_bytes: regionBytes - startOffset - endOffset,
    populated: new Uint8Array(regionBytes / PAGE_SIZE),
    nr_populated: 0,
    allocs: new Map(),
    listSlot: -1,
  };
  // The head and tail that belong to another region are allocated for good.
  const headBits = startOffset / PCPU_MIN_ALLOC_SIZE;
  const tailBits = endOffset / PCPU_MIN_ALLOC_SIZE;
  if (headBits > 0) {
    bitmapSet(c.alloc_map, 0, headBits);
    setBit(c.bound_map, 0);
    setBit(c.bound_map, headBits);
  }
  if (tailBits > 0) {
    bitmapSet(c.alloc_map, nrBits - tailBits, tailBits);
    setBit(c.bound_map, nrBits - tailBits);
    setBit(c.bound_map, nrBits);
  }
  for (let i = 0; i < nrBlocks; i++) refreshBlock(c, i);
  refreshChunk(c);
  return c;
}

/** pcpu_alloc_first_chunk(): the region containing [tmpAddr, tmpAddr + mapSize), page-aligned. */
function firstChunkPart(id: number | 'R', kind: ChunkKind, tmpAddr: number, mapSize: number): PcpuChunk {
  const aligned = Math.floor(tmpAddr / PAGE_SIZE) * PAGE_SIZE;
  const startOffset = tmpAddr - aligned;
  const regionBytes = alignUp(startOffset + mapSize, PAGE_SIZE);
  const c = newChunk(id, kind, aligned, regionBytes, startOffset, regionBytes - startOffset - mapSize);
  // The first chunk is embedded: every page exists from boot on.
  c.populated.fill(1);
  c.nr_populated = c.nrPages;
  return c;
}

/** Moves a chunk to slot list `slot`, at the front or the back (__pcpu_chunk_move). */
function chunkMove(st: PcpuState, c: PcpuChunk, slot: number, front: boolean): void {
  if (c.kind === 'reserved') return;
  if (c.listSlot >= 0) {
    const list = st.slots[c.listSlot];
    list.splice(list.indexOf(c), 1);
  }
  if (front) st.slots[slot].unshift(c);
  else st.slots[slot].push(c);
  c.listSlot = slot;
}

/** pcpu_chunk_relocate(): a chunk that gained free space goes to the front of its new list. */
function chunkRelocate(st: PcpuState, c: PcpuChunk, oslot: number): void {
  const nslot = pcpu_chunk_slot(st, c);
  if (oslot !== nslot || c.listSlot < 0) chunkMove(st, c, nslot, oslot < nslot);
}

function createState(m: Machine): PcpuState {
  const layout = m.layout!;
  const unitSize = layout.unitSize;
  const freeSlot = __pcpu_size_to_slot(unitSize) + 2; // after the sidelined slot, as the kernel numbers them
  const reserved = layout.reservedSize > 0
    ? firstChunkPart('R', 'reserved', layout.base + layout.staticSize, layout.reservedSize)
    : null;
  const first = firstChunkPart(0, 'first', layout.base + layout.staticSize + layout.reservedSize, layout.dynamicSize);
  const st: PcpuState = {
    m, base: layout.base, unitSize, nrUnits: m.nrCpus, reserved, first,
    chunks: reserved ? [reserved, first] : [first],
    slots: Array.from({ length: freeSlot + 1 }, () => []),
    freeSlot, released: [], nextChunkId: 1, nextAllocId: 1,
    warnings: [], warnLimit: PCPU_WARN_LIMIT,
    stats: { nr_alloc: 0, nr_dealloc: 0, nr_cur_alloc: 0, nr_max_alloc: 0, nr_chunks: 1, nr_max_chunks: 1, min_alloc_size: 0, max_alloc_size: 0 },
  };
  chunkRelocate(st, first, -1);
  return st;
}

/**
 * Machines whose allocator lives elsewhere: a worker thread's view of a shared
 * memory. Its own allocator would start empty and hand out memory the booting
 * thread already gave away.
 */
const foreign = new PerMachine<string>('percpu-alloc owner');

/** Marks `m` as a view whose per-CPU allocations must be made by `owner`. */
export function pcpu_allocator_elsewhere(m: Machine, owner: string): void {
  machineArg(m, 'pcpu_allocator_elsewhere');
  if (typeof owner !== 'string' || owner === '') throw new TypeError(`pcpu_allocator_elsewhere: owner must name who allocates (a non-empty string), got ${describe(owner)}`);
  foreign.set(m, owner);
}

function getState(m: Machine, what: string): PcpuState {
  machineArg(m, what);
  let st = states.get(m);
  if (st === undefined) {
    const owner = foreign.get(m);
    if (owner !== undefined) {
      throw new MachineStateError(`${what}: this machine shares memory booted by ${owner}, whose allocator owns it; allocate and free there and pass the pointers here`);
    }
    if (!m.booted) throw new MachineStateError(`${what}: per-CPU memory is not set up yet: call m.boot() (setup_per_cpu_areas) first`);
    st = createState(m);
    states.set(m, st);
  }
  return st;
}

/** pcpu_create_chunk(): one unit per CPU, from a released range or newly mapped memory. */
function createChunk(st: PcpuState): PcpuChunk | null {
  const bytes = st.nrUnits * st.unitSize;
  let base: number;
  if (st.released.length > 0) {
    base = st.released.shift()!;
    st.m.u8.fill(0, base, base + bytes);
  } else {
    const mapped = st.m.mapArea(bytes);
    if (mapped === null) return null;
    base = mapped;
  }
  const c = newChunk(st.nextChunkId++, 'dynamic', base, st.unitSize, 0, 0);
  st.chunks.push(c);
  st.stats.nr_chunks++;
  st.stats.nr_max_chunks = Math.max(st.stats.nr_max_chunks, st.stats.nr_chunks);
  return c;
}

/** pcpu_destroy_chunk(): its address range is kept for the next chunk (it cannot be unmapped). */
function destroyChunk(st: PcpuState, c: PcpuChunk): void {
  const list = st.slots[c.listSlot];
  list.splice(list.indexOf(c), 1);
  c.listSlot = -1;
  st.chunks.splice(st.chunks.indexOf(c), 1);
  st.released.push(c.baseAddr);
  st.released.sort((a, b) => a - b);
  st.stats.nr_chunks--;
}

/** pcpu_balance_free(): release every fully free chunk but the first on the list (the spare). */
function balanceFree(st: PcpuState): void {
  const free = st.slots[st.freeSlot];
  for (const c of free.slice(1)) if (c.kind === 'dynamic') destroyChunk(st, c);
}

// ---------------------------------------------------------------- allocation

function warn(st: PcpuState, line: string): void {
  st.warnings.push(line);
}

function checkSizeArg(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new TypeError(`${fn}: ${name} must be a non-negative integer (bytes), got ${describe(v)}; nothing was allocated`);
  }
  return v;
}

function isPowerOf2(x: number): boolean {
  return x > 0 && (x & (x - 1)) === 0;
}

/** pcpu_alloc_area() after a fit was found: marks the bitmaps, refreshes hints, relocates. */
function allocArea(st: PcpuState, c: PcpuChunk, bits: number, alignBits: number, start: number): number {
  const oslot = pcpu_chunk_slot(st, c);
  const off = findZeroArea(c, bits, alignBits, start);
  if (off < 0) return -1;
  bitmapSet(c.alloc_map, off, bits);
  setBit(c.bound_map, off);
  bitmapClear(c.bound_map, off + 1, bits - 1);
  setBit(c.bound_map, off + bits);
  c.free_bytes -= bits * PCPU_MIN_ALLOC_SIZE;
  refreshHints(c, off, bits);
  chunkRelocate(st, c, oslot);
  return off;
}

function pcpu_alloc(m: Machine, fn: AllocFn, size: unknown, align: unknown, reserved: boolean, type: Resolved | null, name?: string): PerCpuPtr<unknown> | null {
  const reqSize = checkSizeArg(fn, 'size', size);
  const reqAlign = checkSizeArg(fn, 'align', align);
  const st = getState(m, fn);
  // A typed allocation carries its type's op table, as a DEFINE_PER_CPU symbol does (looked up first:
  // an arch without generated ops must fail before anything is allocated).
  const typeInfo = type === null ? null : type.scalar;
  const ops = typeInfo === null ? undefined : opsFor(m.arch, typeInfo);
  const alignB = Math.max(reqAlign, PCPU_MIN_ALLOC_SIZE);
  const sizeB = alignUp(reqSize, PCPU_MIN_ALLOC_SIZE);
  if (sizeB === 0 || sizeB > PCPU_MIN_UNIT_SIZE || alignB > PAGE_SIZE || !isPowerOf2(alignB)) {
    warn(st, `WARNING: illegal size (${sizeB}) or align (${alignB}) for percpu allocation`);
    return null;
  }
  const bits = sizeB / PCPU_MIN_ALLOC_SIZE;
  const alignBits = alignB / PCPU_MIN_ALLOC_SIZE;

  const fail = (err: string): null => {
    if (st.warnLimit > 0) {
      warn(st, `percpu: allocation failed, size=${sizeB} align=${alignB} atomic=0, ${err}`);
      if (--st.warnLimit === 0) warn(st, 'percpu: limit reached, disable warning');
    }
    return null;
  };

  let chunk: PcpuChunk | null = null;
  let off = -1;
  if (reserved && st.reserved !== null) {
    const start = findBlockFit(st.reserved, bits, alignBits);
    if (start >= 0) off = allocArea(st, st.reserved, bits, alignBits, start);
    if (off < 0) return fail('alloc from reserved chunk failed');
    chunk = st.reserved;
  } else {
    // At most two passes: the second runs after creating an empty chunk, which fits any legal request.
    for (let pass = 0; pass < 2 && chunk === null; pass++) {
      search: for (let slot = pcpu_size_to_slot(st, sizeB); slot <= st.freeSlot; slot++) {
        for (const c of st.slots[slot].slice()) {
          const start = findBlockFit(c, bits, alignBits);
          if (start < 0) {
            if (slot < PCPU_SLOT_FAIL_THRESHOLD) chunkMove(st, c, 0, true);
            continue;
          }
          off = allocArea(st, c, bits, alignBits, start);
          if (off >= 0) {
            chunk = c;
            break search;
          }
        }
      }
      if (chunk === null && pass === 0) {
        if (st.slots[st.freeSlot].length > 0) break;
        const created = createChunk(st);
        if (created === null) return fail('failed to allocate new chunk');
        chunkRelocate(st, created, -1);
      }
    }
    if (chunk === null) return fail('failed to allocate new chunk');
  }

  // pcpu_populate_chunk() for the pages the area touches.
  const byteOff = off * PCPU_MIN_ALLOC_SIZE;
  for (let pg = Math.floor(byteOff / PAGE_SIZE); pg < Math.ceil((byteOff + sizeB) / PAGE_SIZE); pg++) {
    if (chunk.populated[pg] === 0) {
      chunk.populated[pg] = 1;
      chunk.nr_populated++;
    }
  }
  // Zeroed in every possible CPU's unit.
  const addr0 = chunk.baseAddr + byteOff;
  for (let cpu = 0; cpu < st.nrUnits; cpu++) {
    const a = addr0 + cpu * st.unitSize;
    m.u8.fill(0, a, a + sizeB);
  }

  const id = st.nextAllocId++;
  const label = `${fn} #${id} (size ${reqSize}, align ${reqAlign})`;
  const ptr = new PerCpuPtr<unknown>(m, addr0 - st.base, typeInfo, { label, kind: 'dynamic' }, ops, { ctype: type?.ctype ?? null, sym: `*${name ?? `${fn}#${id}`}` });
  setExtent(ptr, reqSize);
  chunk.allocs.set(off, { id, label, ptr, bitOff: off, bits });

  const s = st.stats;
  s.nr_alloc++;
  s.nr_cur_alloc++;
  s.nr_max_alloc = Math.max(s.nr_max_alloc, s.nr_cur_alloc);
  s.min_alloc_size = s.min_alloc_size === 0 ? sizeB : Math.min(s.min_alloc_size, sizeB);
  s.max_alloc_size = Math.max(s.max_alloc_size, sizeB);
  return ptr;
}

/** __alloc_percpu(size, align): `size` bytes per CPU, zeroed, or null (with a warning). */
export function __alloc_percpu(m: Machine, size: number, align: number): PerCpuPtr<unknown> | null {
  return pcpu_alloc(m, '__alloc_percpu', size, align, false, null);
}

/** __alloc_reserved_percpu(size, align): from the first chunk's reserved region (module statics). */
export function __alloc_reserved_percpu(m: Machine, size: number, align: number): PerCpuPtr<unknown> | null {
  return pcpu_alloc(m, '__alloc_reserved_percpu', size, align, true, null);
}

/**
 * alloc_percpu(type): `__alloc_percpu(sizeof(type), __alignof__(type))`, and
 * the pointer knows its C type (a scalar's op table is bound, an aggregate's
 * members are reached with pcpu_member()). `name` is what traces call the
 * pointer (`pcp` in `incl %gs:pcp->count`), as the C lvalue holding it would be.
 */
export function alloc_percpu<const S extends TypeArg>(m: Machine, type: S, name?: string): PtrTo<S> | null {
  const t = resolveType(machineArg(m, 'alloc_percpu').ctypes, type, 'alloc_percpu');
  checkAllocName('alloc_percpu', name);
  return pcpu_alloc(m, 'alloc_percpu', t.ctype.size, t.ctype.align, false, t, name) as PtrTo<S> | null;
}

// ---------------------------------------------------------------- free

interface Found {
  chunk: PcpuChunk;
  rec: PcpuAlloc;
}

/** pcpu_chunk_addr_search() plus the checks that the pointer is a live allocation. */
function findAllocation(st: PcpuState, fn: string, ptr: unknown): Found {
  if (!(ptr instanceof PerCpuPtr)) {
    throw new TypeError(`${fn}: expected a per-CPU pointer returned by alloc_percpu()/__alloc_percpu(), or null; got ${describe(ptr)}`);
  }
  if (isPoisoned(ptr) || ptr.freed) {
    // Only a second free_percpu() is a double free; any other look-up of a freed pointer is a use after free.
    throw new UseAfterFreeError(
      fn === 'free_percpu'
        ? `double free: free_percpu() of ${ptr.origin.label}, which was already freed by free_percpu(); nothing was changed`
        : `use-after-free: ${fn}() of ${ptr.origin.label}, which was freed by free_percpu()`,
    );
  }
  checkPointer(st.m, ptr, fn);
  if (ptr.origin.kind === 'static') {
    throw new KernelBugError(
      `${fn}: ${ptr.origin.label} is a static per-CPU symbol, not memory from alloc_percpu(); static per-CPU data lives in .data..percpu and is never freed; nothing was changed`,
    );
  }
  const off = ptr.off;
  const addr = off + st.base;
  const hex = Number.isFinite(off) ? `0x${off.toString(16)}` : String(off);
  for (const chunk of st.chunks) {
    if (addr < chunk.baseAddr + chunk.startOffset || addr >= chunk.baseAddr + chunk.nrBits * PCPU_MIN_ALLOC_SIZE - chunk.endOffset) continue;
    const rec = (addr - chunk.baseAddr) % PCPU_MIN_ALLOC_SIZE === 0
      ? chunk.allocs.get((addr - chunk.baseAddr) / PCPU_MIN_ALLOC_SIZE)
      : undefined;
    if (rec !== undefined) return { chunk, rec };
    break;
  }
  throw new KernelBugError(
    `${fn}: ${ptr.origin.label} (percpu ${hex}) was not returned by the per-CPU allocator: no live allocation starts there; pass exactly the pointer alloc_percpu() returned; nothing was changed`,
  );
}

/**
 * free_percpu(ptr): null is a no-op. A double free, a static symbol or a
 * pointer the allocator never returned throws and changes nothing. In debug
 * mode the pointer is poisoned: any later op, accessor or free through it throws.
 */
export function free_percpu(m: Machine, ptr: PerCpuPtr<unknown> | null): void {
  if (ptr === null) return;
  const st = getState(m, 'free_percpu');
  const { chunk: c, rec } = findAllocation(st, 'free_percpu', ptr);
  const oslot = pcpu_chunk_slot(st, c);
  // pcpu_free_area(): the allocation ends at the next boundary bit.
  const end = findNextBit(c.bound_map, c.nrBits + 1, rec.bitOff + 1);
  const bits = end - rec.bitOff;
  bitmapClear(c.alloc_map, rec.bitOff, bits);
  c.free_bytes += bits * PCPU_MIN_ALLOC_SIZE;
  refreshHints(c, rec.bitOff, bits);
  chunkRelocate(st, c, oslot);
  c.allocs.delete(rec.bitOff);
  st.stats.nr_dealloc++;
  st.stats.nr_cur_alloc--;
  for (const p of ptr === rec.ptr ? [ptr] : [ptr, rec.ptr]) {
    p.freed = true;
    if (m.debugFree) poison(p, `use-after-free: ${rec.label} was freed by free_percpu()`);
  }
  if (c.kind === 'dynamic' && c.free_bytes === st.unitSize && st.slots[st.freeSlot].length > 1) balanceFree(st);
}

/** pcpu_alloc_size(ptr): the bytes an allocation occupies per CPU (its size rounded up to 4); 0 for null. */
export function pcpu_alloc_size(m: Machine, ptr: PerCpuPtr<unknown> | null): number {
  if (ptr === null) return 0;
  const st = getState(m, 'pcpu_alloc_size');
  const { chunk: c, rec } = findAllocation(st, 'pcpu_alloc_size', ptr);
  return (findNextBit(c.bound_map, c.nrBits + 1, rec.bitOff + 1) - rec.bitOff) * PCPU_MIN_ALLOC_SIZE;
}

// ---------------------------------------------------------------- statistics and inspection

/** The allocator's warnings, oldest first: WARNs for illegal requests and the rate-limited failures. */
export function pcpu_warnings(m: Machine): readonly string[] {
  return getState(m, 'pcpu_warnings').warnings.slice();
}

/** pcpu_nr_pages(): populated pages of every chunk times the number of units (the first chunk is all populated). */
export function pcpu_nr_pages(m: Machine): number {
  const st = getState(m, 'pcpu_nr_pages');
  let pages = st.unitSize / PAGE_SIZE;
  for (const c of st.chunks) if (c.kind === 'dynamic') pages += c.nr_populated;
  return pages * st.nrUnits;
}

/** The line /proc/meminfo prints: `Percpu:` padded to 16 columns, kB right-aligned in 8. */
export function pcpu_meminfo(m: Machine): string {
  machineArg(m, 'pcpu_meminfo');
  return `${'Percpu:'.padEnd(16)}${String(pcpu_nr_pages(m) * (PAGE_SIZE >> 10)).padStart(8)} kB`;
}

/** One live allocation as pcpu_meminfo() reports it. */
export interface PcpuAllocationInfo {
  readonly label: string;
  readonly ptr: PerCpuPtr<unknown>;
  /** Offset of the allocation inside a unit (from the unit's start). */
  readonly unitOffset: number;
  /** Bytes it occupies (rounded up to 4). */
  readonly bytes: number;
}

/** One chunk as pcpu_meminfo() reports it: its kind, its region and what is allocated in it. */
export interface PcpuChunkInfo {
  readonly id: number | 'R';
  readonly kind: ChunkKind;
  /** Address of unit 0's managed region (start of the part this chunk serves). */
  readonly start: number;
  /** Offset of that region inside a unit, and its end (exclusive). */
  readonly unitStart: number;
  readonly unitEnd: number;
  readonly slot: number;
  readonly freeBytes: number;
  readonly contigBytes: number;
  readonly firstFreeBit: number;
  readonly nrPages: number;
  readonly nrPopulated: number;
  readonly blocks: readonly Readonly<PcpuBlockMd>[];
  /** Live allocations in address order. */
  readonly allocations: readonly PcpuAllocationInfo[];
  /** Free runs (unit offsets, bytes) in address order. */
  readonly freeRuns: readonly { readonly unitOffset: number; readonly bytes: number }[];
}

/** A snapshot of every chunk: reserved, first, then created chunks in creation order. */
export function pcpu_chunks(m: Machine): PcpuChunkInfo[] {
  const st = getState(m, 'pcpu_chunks');
  return st.chunks.map((c) => {
    const unitBase = c.kind === 'dynamic' ? c.baseAddr : st.base;
    const rel = (bit: number): number => c.baseAddr + bit * PCPU_MIN_ALLOC_SIZE - unitBase;
    const allocations = [...c.allocs.values()].sort((a, b) => a.bitOff - b.bitOff).map((a) => ({
      label: a.label, ptr: a.ptr, unitOffset: rel(a.bitOff), bytes: a.bits * PCPU_MIN_ALLOC_SIZE,
    }));
    const freeRuns: { unitOffset: number; bytes: number }[] = [];
    let pos = findNextZeroBit(c.alloc_map, c.nrBits, 0);
    while (pos < c.nrBits) {
      const stop = findNextBit(c.alloc_map, c.nrBits, pos);
      freeRuns.push({ unitOffset: rel(pos), bytes: (stop - pos) * PCPU_MIN_ALLOC_SIZE });
      pos = findNextZeroBit(c.alloc_map, c.nrBits, stop);
    }
    return {
      id: c.id, kind: c.kind,
      start: c.baseAddr + c.startOffset,
      unitStart: c.baseAddr + c.startOffset - unitBase,
      unitEnd: c.baseAddr + c.nrBits * PCPU_MIN_ALLOC_SIZE - c.endOffset - unitBase,
      slot: c.listSlot,
      freeBytes: c.free_bytes,
      contigBytes: c.chunk_md.contig_hint * PCPU_MIN_ALLOC_SIZE,
      firstFreeBit: c.chunk_md.first_free,
      nrPages: c.nrPages,
      nrPopulated: c.nr_populated,
      blocks: c.md_blocks.map((b) => ({ ...b })),
      allocations,
      freeRuns,
    };
  });
}

/** Base addresses of released chunks waiting for reuse. */
export function pcpu_released_ranges(m: Machine): readonly number[] {
  return getState(m, 'pcpu_released_ranges').released.slice();
}

function statLine(name: string, v: number): string {
  return `  ${name.padEnd(20)}: ${String(v).padStart(12)}`;
}

/** /sys/kernel/debug/percpu_stats: allocation info, global stats, then each chunk. */
export function pcpu_stats(m: Machine): string {
  const st = getState(m, 'pcpu_stats');
  const layout = m.layout!;
  const sep = '----------------------------------------';
  const out = [
    'Percpu Memory Statistics',
    'Allocation Info:',
    sep,
    statLine('unit_size', st.unitSize),
    statLine('static_size', layout.staticSize),
    statLine('reserved_size', layout.reservedSize),
    statLine('dyn_size', layout.dynamicSize),
    statLine('atom_size', PAGE_SIZE),
    statLine('alloc_size', st.unitSize),
    '',
    'Global Stats:',
    sep,
    ...Object.entries(st.stats).map(([k, v]) => statLine(k, v)),
    statLine('empty_pop_pages', st.chunks.reduce((n, c) => n + emptyPopPages(c), 0)),
    '',
    'Per Chunk Stats:',
    sep,
  ];
  for (const c of st.chunks) {
    const sizes = [...c.allocs.values()].map((a) => a.bits * PCPU_MIN_ALLOC_SIZE).sort((a, b) => a - b);
    out.push(
      `Chunk: ${c.kind === 'reserved' ? '<- Reserved Chunk' : c.kind === 'first' ? '<- First Chunk' : `#${c.id}`}`,
      statLine('nr_alloc', c.allocs.size),
      statLine('max_alloc_size', sizes.length ? sizes[sizes.length - 1] : 0),
      statLine('empty_pop_pages', emptyPopPages(c)),
      statLine('first_bit', c.chunk_md.first_free),
      statLine('free_bytes', c.free_bytes),
      statLine('contig_bytes', c.chunk_md.contig_hint * PCPU_MIN_ALLOC_SIZE),
      statLine('cur_min_alloc', sizes.length ? sizes[0] : 0),
      statLine('cur_med_alloc', sizes.length ? sizes[(sizes.length - 1) >> 1] : 0),
      statLine('cur_max_alloc', sizes.length ? sizes[sizes.length - 1] : 0),
      '',
    );
  }
  return out.join('\n');
}

/** Populated pages with no allocated bit (the head and tail of first-chunk parts count as allocated). */
function emptyPopPages(c: PcpuChunk): number {
  let n = 0;
  for (let pg = 0; pg < c.nrPages; pg++) {
    if (c.populated[pg] === 0) continue;
    const start = pg * PCPU_BITMAP_BLOCK_BITS;
    if (findNextBit(c.alloc_map, start + PCPU_BITMAP_BLOCK_BITS, start) === start + PCPU_BITMAP_BLOCK_BITS) n++;
  }
  return n;
}

/**
 * Cross-checks the allocator's bookkeeping (a CONFIG_DEBUG-style self test):
 * the bitmap equals the head/tail plus the live allocations, free_bytes and
 * every hint match a rescan, each chunk is on the list its slot says. Returns
 * the problems found (empty when consistent).
 */
export function pcpu_check_consistency(m: Machine): string[] {
  const st = getState(m, 'pcpu_check_consistency');
  const problems: string[] = [];
  for (const c of st.chunks) {
    const name = c.kind === 'dynamic' ? `chunk #${c.id}` : `${c.kind} chunk`;
    const expect = new Uint32Array(c.alloc_map.length);
    bitmapSet(expect, 0, c.startOffset / PCPU_MIN_ALLOC_SIZE);
    bitmapSet(expect, c.nrBits - c.endOffset / PCPU_MIN_ALLOC_SIZE, c.endOffset / PCPU_MIN_ALLOC_SIZE);
    let used = 0;
    for (const a of c.allocs.values()) {
      for (let i = a.bitOff; i < a.bitOff + a.bits; i++) {
        if (testBit(expect, i)) problems.push(`${name}: ${a.label} overlaps another allocation at bit ${i}`);
      }
      bitmapSet(expect, a.bitOff, a.bits);
      used += a.bits * PCPU_MIN_ALLOC_SIZE;
      const end = findNextBit(c.bound_map, c.nrBits + 1, a.bitOff + 1);
      if (!testBit(c.bound_map, a.bitOff) || end !== a.bitOff + a.bits) problems.push(`${name}: bound_map does not delimit ${a.label}`);
    }
    for (let w = 0; w < expect.length; w++) {
      if (expect[w] !== c.alloc_map[w]) problems.push(`${name}: alloc_map word ${w} is 0x${c.alloc_map[w].toString(16)}, expected 0x${expect[w].toString(16)}`);
    }
    const region = c.nrBits * PCPU_MIN_ALLOC_SIZE - c.startOffset - c.endOffset;
    if (c.free_bytes !== region - used) problems.push(`${name}: free_bytes ${c.free_bytes}, expected ${region - used}`);
    const saved = c.md_blocks.map((b) => JSON.stringify(b));
    const savedChunk = JSON.stringify(c.chunk_md);
    for (let i = 0; i < c.md_blocks.length; i++) refreshBlock(c, i);
    refreshChunk(c);
    c.md_blocks.forEach((b, i) => {
      if (JSON.stringify(b) !== saved[i]) problems.push(`${name}: block ${i} hints ${saved[i]} are stale, rescan gives ${JSON.stringify(b)}`);
    });
    if (JSON.stringify(c.chunk_md) !== savedChunk) problems.push(`${name}: chunk hints ${savedChunk} are stale`);
    if (c.kind !== 'reserved' && !st.slots[c.listSlot]?.includes(c)) problems.push(`${name}: not on its slot list ${c.listSlot}`);
    if (c.kind !== 'reserved' && c.listSlot !== 0 && c.listSlot !== pcpu_chunk_slot(st, c)) {
      problems.push(`${name}: on slot ${c.listSlot}, its hints say slot ${pcpu_chunk_slot(st, c)}`);
    }
  }
  return problems;
}
