/**
 * The threads chart, as hand-written SVG: ns per increment per worker (log
 * scale, since the counters differ by orders of magnitude) against the number
 * of workers, one line per counter kind, min–max whiskers on every point.
 */
import type { MachineInfo, ThreadsPoint } from './report.js';

const W = 720;
const H = 420;
const M = { left: 72, right: 230, top: 56, bottom: 56 };
const COLORS: Record<ThreadsPoint['kind'], string> = { percpu: '#1b9e77', counter: '#66a61e', atomic: '#d95f02', mutex: '#7570b3' };
const NAMES: Record<ThreadsPoint['kind'], string> = {
  percpu: 'per-CPU (this_cpu_inc_8)',
  counter: 'percpu_counter_inc (batched)',
  atomic: 'shared Atomics.add',
  mutex: 'shared, Atomics.wait mutex',
};

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(ns: number): string {
  return ns >= 100 ? ns.toFixed(0) : ns >= 10 ? ns.toFixed(1) : ns.toFixed(2);
}

export function threadsSvg(points: readonly ThreadsPoint[], machine: MachineInfo, note: string | null = null): string {
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${M.left}" y="24" font-size="15" font-weight="bold">ns per increment per worker vs workers</text>`);
  out.push(`<text x="${M.left}" y="42" fill="#555">${esc(`${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}`)}</text>`);
  const data = points.filter((p) => Number.isFinite(p.nsPerIncPerWorker.median) && p.nsPerIncPerWorker.median > 0);
  if (data.length === 0) {
    out.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#555">${esc(note ?? 'no threads data in this report')}</text>`);
    out.push('</svg>');
    return `${out.join('\n')}\n`;
  }
  const workers = [...new Set(data.map((p) => p.workers))].sort((a, b) => a - b);
  const lo = Math.min(...data.map((p) => p.nsPerIncPerWorker.min));
  const hi = Math.max(...data.map((p) => p.nsPerIncPerWorker.max));
  const y0 = Math.floor(Math.log10(lo));
  const y1 = Math.max(y0 + 1, Math.ceil(Math.log10(hi)));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const pad = 48; // keeps the first and last points (and their labels) off the frame
  const xOf = (w: number): number =>
    M.left + (workers.length === 1 ? plotW / 2 : pad + (workers.indexOf(w) / (workers.length - 1)) * (plotW - 2 * pad));
  const yOf = (ns: number): number => M.top + plotH - ((Math.log10(ns) - y0) / (y1 - y0)) * plotH;

  // Grid: a line per decade, lighter lines at 2× and 5×.
  for (let e = y0; e <= y1; e++) {
    for (const k of [1, 2, 5]) {
      const v = k * 10 ** e;
      if (Math.log10(v) > y1) continue;
      const y = yOf(v).toFixed(1);
      out.push(`<line x1="${M.left}" y1="${y}" x2="${M.left + plotW}" y2="${y}" stroke="${k === 1 ? '#ccc' : '#eee'}"/>`);
      out.push(`<text x="${M.left - 6}" y="${y}" dy="4" text-anchor="end" fill="${k === 1 ? '#333' : '#999'}">${v >= 1 ? v : v.toPrecision(1)}</text>`);
    }
  }
  for (const w of workers) {
    const x = xOf(w).toFixed(1);
    out.push(`<line x1="${x}" y1="${M.top}" x2="${x}" y2="${M.top + plotH}" stroke="#eee"/>`);
    out.push(`<text x="${x}" y="${M.top + plotH + 18}" text-anchor="middle">${w}</text>`);
  }
  out.push(`<rect x="${M.left}" y="${M.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${M.left + plotW / 2}" y="${H - 14}" text-anchor="middle">workers (one CPU each)</text>`);
  out.push(`<text transform="translate(18 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">ns per increment per worker (log)</text>`);

  let legendY = M.top + 8;
  for (const kind of ['percpu', 'counter', 'atomic', 'mutex'] as const) {
    const line = data.filter((p) => p.kind === kind).sort((a, b) => a.workers - b.workers);
    if (line.length === 0) continue;
    const c = COLORS[kind];
    const path = line.map((p, i) => `${i === 0 ? 'M' : 'L'}${xOf(p.workers).toFixed(1)},${yOf(p.nsPerIncPerWorker.median).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${c}" stroke-width="2.5"/>`);
    for (const p of line) {
      const x = xOf(p.workers).toFixed(1);
      const s = p.nsPerIncPerWorker;
      out.push(`<line x1="${x}" y1="${yOf(s.min).toFixed(1)}" x2="${x}" y2="${yOf(s.max).toFixed(1)}" stroke="${c}" stroke-width="1"/>`);
      out.push(`<circle cx="${x}" cy="${yOf(s.median).toFixed(1)}" r="4" fill="${c}"><title>${esc(`${NAMES[kind]}, ${p.workers} workers: ${fmt(s.median)} ns (min ${fmt(s.min)}, max ${fmt(s.max)}); sum ${p.finalSum}${p.exact ? ' exact' : ' NOT EXACT'}`)}</title></circle>`);
      out.push(`<text x="${(xOf(p.workers) + 7).toFixed(1)}" y="${(yOf(s.median) - 7).toFixed(1)}" fill="${c}" font-size="11">${fmt(s.median)}</text>`);
    }
    const lx = M.left + plotW + 16;
    out.push(`<line x1="${lx}" y1="${legendY}" x2="${lx + 22}" y2="${legendY}" stroke="${c}" stroke-width="2.5"/>`);
    out.push(`<text x="${lx + 28}" y="${legendY + 4}">${esc(NAMES[kind])}</text>`);
    const exact = line.every((p) => p.exact);
    out.push(`<text x="${lx + 28}" y="${legendY + 18}" fill="#555" font-size="11">${exact ? 'sums exact' : 'SUMS NOT EXACT'}</text>`);
    legendY += 40;
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
