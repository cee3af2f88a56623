/**
 * A picture of a schedule (`--svg FILE`, `--html FILE`): one lane per CPU,
 * time running left to right one column per transition. Each instruction is a
 * box in its CPU's lane, coloured by the task or handler that ran it (handlers
 * dashed, with their context); a preemption, a migration (an arrow between the
 * two lanes), an interrupt, a softirq or an NMI is a marker at its column;
 * under each box that touches a per-CPU copy, a tag says whose copy — red when
 * it is another CPU's (a store into another CPU's copy stands out); the
 * violation's column is a red band across every lane with the message below.
 * Every box carries the trace line as its tooltip (`<title>`).
 *
 * The SVG is self-contained (no scripts, no external fonts) so it renders the
 * same in a browser and in resvg; the HTML report wraps it with the text trace.
 */
import { describe } from '../types.js';
import type { TraceEntry } from '../sched/scheduler.js';
import { formatTrace, type Violation } from './explorer.js';

/** Geometry, exported for tests that look at pixels. */
export const SVG_LAYOUT = {
  left: 70, top: 56, col: 34, lane: 74, box: 30, boxTop: 14, legend: 40, line: 15, minWidth: 560,
} as const;

/** Colours of the frames in order of first appearance (Tableau 10), and the marks. */
export const SVG_COLORS = {
  frames: ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#ff9da7'],
  violation: '#d62728',
  foreignCopy: '#d62728',
  ownCopy: '#555555',
  lane: '#f4f4f4',
  marker: '#222222',
} as const;

/** What to draw: a schedule's trace and how it ended. */
export interface Picture {
  readonly title: string;
  readonly cpus: number;
  readonly trace: readonly TraceEntry[];
  /** The violation's message, or null for a schedule that ended well. */
  readonly violation: string | null;
  /** The schedule string (printed under the picture). */
  readonly schedule: string;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Whose per-CPU copy a step's trace text touches: `%gs:` is the running CPU's, `per_cpu(x, N)` and `; cpuN's copy` name it. */
export function copyOf(text: string, cpu: number): number | null {
  const foreign = /; cpu(\d+)'s copy/.exec(text);
  if (foreign !== null) return Number(foreign[1]);
  const named = /per_cpu\([^,()]+, (\d+)\)/.exec(text);
  if (named !== null) return Number(named[1]);
  return /%gs:/.test(text) ? cpu : null;
}

/** Splits text into lines of at most `width` characters, at spaces where it can. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = '';
    }
    line = line === '' ? word : `${line} ${word}`;
    while (line.length > width) {
      out.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  if (line !== '') out.push(line);
  return out;
}

const MARK: Record<string, string> = { preempt: 'P', migrate: 'M', irq: 'I', softirq: 'S', nmi: 'N' };

/** The SVG of a picture. */
export function renderSvg(p: Picture): string {
  if (p === null || typeof p !== 'object' || !Array.isArray(p.trace) || !Number.isInteger(p.cpus) || p.cpus < 1) {
    throw new TypeError(`renderSvg: expected a picture { title, cpus, trace, violation, schedule }, got ${describe(p)}`);
  }
  const L = SVG_LAYOUT;
  const last = p.trace.reduce((a, e) => Math.max(a, e.n), 0);
  const columns = Math.max(last, 1);
  const width = Math.max(L.left + columns * L.col + 20, L.minWidth);
  // About 7 px per character of the 11 px font; the footer is 9 px.
  const verdict = wrap(p.violation === null ? 'no violation' : `VIOLATION: ${p.violation}`, Math.floor((width - 16) / 7));
  const footer = wrap(`schedule ${p.schedule} · P preempt, M migrate, I interrupt, S softirq, N NMI; cN: cpuN's copy (red: another CPU's)`, Math.floor((width - 16) / 5.5));
  const below = L.top + p.cpus * L.lane;
  const height = below + L.legend + (verdict.length + footer.length) * L.line + 10;
  const x = (n: number) => L.left + (n - 1) * L.col;
  const y = (cpu: number) => L.top + cpu * L.lane;
  const colour = new Map<string, string>();
  const frameColour = (who: string): string => {
    const base = who.replace(/\[.*\]$/, '');
    let c = colour.get(base);
    if (c === undefined) {
      c = SVG_COLORS.frames[colour.size % SVG_COLORS.frames.length]!;
      colour.set(base, c);
    }
    return c;
  };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="8" y="18" font-size="14" font-weight="bold">${esc(p.title)}</text>`,
  ];
  for (let cpu = 0; cpu < p.cpus; cpu++) {
    out.push(`<rect class="lane" x="${L.left - 4}" y="${y(cpu)}" width="${columns * L.col + 8}" height="${L.lane - 6}" fill="${SVG_COLORS.lane}"/>`);
    out.push(`<text x="8" y="${y(cpu) + L.lane / 2}" font-weight="bold">cpu${cpu}</text>`);
  }
  for (let n = 1; n <= columns; n++) out.push(`<text x="${x(n) + L.box / 2}" y="${L.top - 6}" text-anchor="middle" fill="#888888" font-size="9">${n}</text>`);
  const violation = p.trace.find((e) => e.kind === 'violation');
  if (violation !== undefined) {
    const n = Math.max(violation.n, 1);
    out.push(`<rect class="violation" x="${x(n) - 3}" y="${L.top - 4}" width="${L.box + 6}" height="${p.cpus * L.lane + 2}" fill="${SVG_COLORS.violation}" fill-opacity="0.25" stroke="${SVG_COLORS.violation}" stroke-width="2"><title>${esc(violation.text)}</title></rect>`);
  }
  for (const e of p.trace) {
    const top = y(e.cpu) + L.boxTop;
    if (e.kind === 'step') {
      const handler = /\[(irq|softirq|nmi)\]$/.exec(e.who);
      const fill = frameColour(e.who);
      const copy = copyOf(e.text, e.cpu);
      const foreign = copy !== null && copy !== e.cpu;
      const stroke = foreign ? SVG_COLORS.foreignCopy : '#333333';
      out.push(
        `<g class="step" data-n="${e.n}" data-cpu="${e.cpu}" data-who="${esc(e.who)}"><title>${esc(`#${e.n} cpu${e.cpu} ${e.who}: ${e.text}`)}</title>`
        + `<rect x="${x(e.n)}" y="${top}" width="${L.box}" height="${L.box}" rx="3" fill="${fill}" stroke="${stroke}" stroke-width="${foreign ? 3 : 1}"${handler !== null ? ' stroke-dasharray="4 2"' : ''}/>`
        + `<text x="${x(e.n) + L.box / 2}" y="${top + L.box / 2 + 4}" text-anchor="middle" fill="#ffffff" font-size="10">${esc(e.who.replace(/\[.*\]$/, '').slice(0, 4))}</text>`
        + (handler !== null ? `<text x="${x(e.n) + L.box / 2}" y="${top - 3}" text-anchor="middle" font-size="8" fill="#333333">${handler[1]}</text>` : '')
        + (copy !== null
          ? `<text class="${foreign ? 'foreign' : 'own'}" x="${x(e.n) + L.box / 2}" y="${top + L.box + 12}" text-anchor="middle" font-size="9" fill="${foreign ? SVG_COLORS.foreignCopy : SVG_COLORS.ownCopy}"${foreign ? ' font-weight="bold"' : ''}>c${copy}</text>`
          : '')
        + '</g>',
      );
    } else if (MARK[e.kind] !== undefined) {
      const mx = x(e.n) + L.box / 2;
      const from = e.kind === 'migrate' ? /cpu(\d+) -> cpu(\d+)/.exec(e.text) : null;
      out.push(`<g class="marker ${e.kind}" data-n="${e.n}"><title>${esc(`#${e.n} cpu${e.cpu}: ${e.text}`)}</title>`);
      if (from !== null) {
        const y0 = y(Number(from[1])) + L.boxTop + L.box / 2;
        const y1 = y(Number(from[2])) + L.boxTop + L.box / 2;
        out.push(`<line x1="${mx}" y1="${y0}" x2="${mx}" y2="${y1}" stroke="${SVG_COLORS.marker}" stroke-width="2"/>`);
        const dir = y1 > y0 ? -1 : 1;
        out.push(`<polygon points="${mx - 5},${y1 + dir * 8} ${mx + 5},${y1 + dir * 8} ${mx},${y1}" fill="${SVG_COLORS.marker}"/>`);
      }
      out.push(`<circle cx="${mx}" cy="${top + L.box / 2}" r="10" fill="#ffffff" stroke="${SVG_COLORS.marker}" stroke-width="2"/>`);
      out.push(`<text x="${mx}" y="${top + L.box / 2 + 4}" text-anchor="middle" font-weight="bold" fill="${SVG_COLORS.marker}">${MARK[e.kind]}</text></g>`);
    }
  }
  const legend = [...colour.entries()].map(([who, c], i) => `<rect x="${L.left + i * 90}" y="${below + 8}" width="12" height="12" fill="${c}"/><text x="${L.left + i * 90 + 16}" y="${below + 18}">${esc(who)}</text>`);
  out.push(...legend);
  let ty = below + L.legend + 4;
  for (const line of verdict) {
    out.push(`<text class="verdict" x="8" y="${ty}" fill="${p.violation === null ? '#333333' : SVG_COLORS.violation}" font-weight="bold">${esc(line)}</text>`);
    ty += L.line;
  }
  for (const line of footer) {
    out.push(`<text x="8" y="${ty}" fill="#666666" font-size="9">${esc(line)}</text>`);
    ty += L.line;
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** The picture of a violation found by a search. */
export function violationPicture(scenario: string, cpus: number, v: Violation): Picture {
  return { title: `${scenario}: schedule ${v.index}`, cpus, trace: v.trace, violation: v.message, schedule: v.schedule };
}

/** An HTML page with the picture and the text trace. */
export function renderHtml(p: Picture): string {
  const svg = renderSvg(p);
  return [
    '<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">', `<title>${esc(p.title)}</title>`,
    '<style>body{font-family:sans-serif;margin:1.5em} pre{background:#f6f6f6;padding:1em;overflow-x:auto} .bad{color:#d62728;font-weight:bold}</style>',
    '</head><body>', `<h1>${esc(p.title)}</h1>`,
    p.violation === null ? '<p>no violation</p>' : `<p class="bad">VIOLATION: ${esc(p.violation)}</p>`,
    svg, '<h2>Trace</h2>', `<pre>${esc(formatTrace(p.trace))}</pre>`,
    `<p>replay: <code>--schedule ${esc(p.schedule)}</code></p>`, '</body></html>', '',
  ].join('\n');
}
