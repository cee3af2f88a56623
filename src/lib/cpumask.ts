/**
 * A CPU mask (struct cpumask): one bit per CPU id below nr_cpu_ids. Iteration is
 * in ascending CPU order, like for_each_cpu().
 */

/**
 * What a reader may do with a mask — test, count, iterate, print: the kernel's
 * `const struct cpumask *` (cpu_online_mask and friends). The machine's own
 * masks are handed out only as such views: they follow the mask as hotplug
 * changes it, and cannot change it.
 */
export interface ReadonlyCpumask extends Iterable<number> {
  readonly nrCpuIds: number;
  /** `cpumask_test_cpu(cpu)`: false for an id outside the mask. */
  test(cpu: number): boolean;
  /** `cpumask_weight()`: how many CPUs are set. */
  weight(): number;
  /** The set CPUs, ascending. */
  toArray(): number[];
  toString(): string;
  [Symbol.iterator](): IterableIterator<number>;
}

/** A read-only view of a Cpumask; a write through it (from untyped code) is refused, naming the mask. */
class CpumaskView implements ReadonlyCpumask {
  readonly #mask: Cpumask;
  readonly #name: string;

  constructor(mask: Cpumask, name: string) {
    this.#mask = mask;
    this.#name = name;
  }

  get nrCpuIds(): number {
    return this.#mask.nrCpuIds;
  }

  /** `cpumask_test_cpu(cpu)`: false for an id outside the mask. */
  test(cpu: number): boolean {
    return this.#mask.test(cpu);
  }

  /** `cpumask_weight()`: how many CPUs are set. */
  weight(): number {
    return this.#mask.weight();
  }

  /** The set CPUs, ascending. */
  toArray(): number[] {
    return this.#mask.toArray();
  }

  toString(): string {
    return this.#mask.toString();
  }

  [Symbol.iterator](): IterableIterator<number> {
    return this.#mask[Symbol.iterator]();
  }

  set(): never {
    throw new TypeError(`${this.#name} is read-only (a const struct cpumask *): CPUs go online and offline through cpu_up()/cpu_down()`);
  }

  clear(): never {
    return this.set();
  }
}

/** `struct cpumask`: one bit per possible CPU id (the machine's possible, online and dying masks are cpumasks). */
export class Cpumask {
  private readonly bits: Uint8Array;
  #view: ReadonlyCpumask | null = null;

  constructor(readonly nrCpuIds: number) {
    this.bits = new Uint8Array(nrCpuIds);
  }

  /** The read-only view of this mask, named in messages as `name` (one view per mask). */
  readonly(name: string): ReadonlyCpumask {
    this.#view ??= new CpumaskView(this, name);
    return this.#view;
  }
  /** `cpumask_set_cpu(cpu)`. */
  set(cpu: number): void {
    this.bits[cpu] = 1;
  }
  /** `cpumask_clear_cpu(cpu)`. */
  clear(cpu: number): void {
    this.bits[cpu] = 0;
  }
  /** `cpumask_test_cpu(cpu)`: false for an id outside the mask. */
  test(cpu: number): boolean {
    return cpu >= 0 && cpu < this.nrCpuIds && this.bits[cpu] === 1;
  }
  /** `cpumask_weight()`: how many CPUs are set. */
  weight(): number {
    let n = 0;
    for (let i = 0; i < this.nrCpuIds; i++) n += this.bits[i];
    return n;
  }
  /** The set CPUs, ascending (`for_each_cpu`). */
  *[Symbol.iterator](): IterableIterator<number> {
    for (let i = 0; i < this.nrCpuIds; i++) if (this.bits[i] === 1) yield i;
  }
  /** The set CPUs, ascending. */
  toArray(): number[] {
    return [...this];
  }
  /** The kernel's cpulist format: `0-3,5`. */
  toString(): string {
    const out: string[] = [];
    let i = 0;
    while (i < this.nrCpuIds) {
      if (this.bits[i] !== 1) { i++; continue; }
      let j = i;
      while (j + 1 < this.nrCpuIds && this.bits[j + 1] === 1) j++;
      out.push(i === j ? `${i}` : `${i}-${j}`);
      i = j + 1;
    }
    return out.join(',');
  }
}
