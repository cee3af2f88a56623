/**
 * A CPU mask (struct cpumask): one bit per CPU id below nr_cpu_ids. Iteration is
 * in ascending CPU order, like for_each_cpu().
 */
export class Cpumask {
  private readonly bits: Uint8Array;
  constructor(readonly nrCpuIds: number) {
    this.bits = new Uint8Array(nrCpuIds);
  }
  set(cpu: number): void {
    this.bits[cpu] = 1;
  }
  clear(cpu: number): void {
    this.bits[cpu] = 0;
  }
  test(cpu: number): boolean {
    return cpu >= 0 && cpu < this.nrCpuIds && this.bits[cpu] === 1;
  }
  weight(): number {
    let n = 0;
    for (let i = 0; i < this.nrCpuIds; i++) n += this.bits[i];
    return n;
  }
  *[Symbol.iterator](): IterableIterator<number> {
    for (let i = 0; i < this.nrCpuIds; i++) if (this.bits[i] === 1) yield i;
  }
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
