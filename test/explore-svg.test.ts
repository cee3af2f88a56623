/**
 * --svg / --html: the picture of a schedule. The SVG is rendered to PNG with
 * resvg (a renderer from the registry, as a browser would draw it) and the
 * test looks at its size and at pixels: the lanes, a task's colour in its
 * boxes, the red border of a store into another CPU's copy, the violation's
 * red band; and at the elements the SVG holds.
 */
import { Resvg } from '@resvg/resvg-js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runExplore } from '../src/cli/explore.js';
import { exploreExhaustive, runSchedule } from '../src/explore/explorer.js';
import { rmwPtr, xchgIrqRaw } from '../src/explore/scenarios/index.js';
import { SVG_COLORS, SVG_LAYOUT, copyOf, renderHtml, renderSvg, violationPicture, type Picture } from '../src/explore/svg.js';

/** rmw-ptr: T1's three steps, T2's first two, T2 migrated to cpu1, its store into cpu0's copy. */
function migrated(): Picture {
  const sch = runSchedule(rmwPtr, '0,0,0,0,0,mT2:1,1');
  return { title: 'rmw-ptr', cpus: 2, trace: sch.trace, violation: sch.violation, schedule: sch.schedule.join(',') };
}

function rgb(hex: string): [number, number, number] {
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
}

function png(svg: string) {
  const img = new Resvg(svg, { background: 'white' }).render();
  const at = (x: number, y: number): [number, number, number] => {
    const i = (y * img.width + x) * 4;
    return [img.pixels[i]!, img.pixels[i + 1]!, img.pixels[i + 2]!];
  };
  return { img, at };
}

const L = SVG_LAYOUT;
const colX = (n: number) => L.left + (n - 1) * L.col;
const boxTop = (cpu: number) => L.top + cpu * L.lane + L.boxTop;

describe('the picture of a schedule', () => {
  it('holds a lane per CPU, a box per instruction, the migration marker, whose copy each access touched, the violation', () => {
    const svg = renderSvg(migrated());
    expect(svg.match(/class="lane"/g)?.length).toBe(2);
    expect([...svg.matchAll(/<g class="step" data-n="(\d+)" data-cpu="(\d)" data-who="(\w+)"/g)].map((m) => `${m[1]}:${m[2]}:${m[3]}`)).toEqual([
      '1:0:T1', '2:0:T1', '3:0:T1', '4:0:T2', '5:0:T2', '7:1:T2',
    ]);
    expect(svg.match(/<g class="marker migrate" data-n="6">/g)?.length).toBe(1);
    expect([...svg.matchAll(/class="(own|foreign)"[^>]*>c(\d)</g)].map((m) => `${m[1]} c${m[2]}`)).toEqual(['own c0', 'own c0', 'own c0', 'foreign c0']);
    expect(svg).toContain('<rect class="violation"');
    expect(svg).toContain("<title>#7 cpu1 T2: movl %eax, per_cpu(counter, 0)");
    expect(svg).toContain(">VIOLATION: T2 on cpu1 stores into cpu0's copy of DEFINE_PER_CPU(u32, counter)</text>");
  });

  it('renders to a PNG of its size whose pixels show the boxes, the foreign copy and the violation', () => {
    const svg = renderSvg(migrated());
    const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!;
    const { img, at } = png(svg);
    expect([img.width, img.height]).toEqual([Number(w), Number(h)]);
    expect(img.asPng().subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // Inside T1's first box, clear of its label: T1's colour.
    expect(at(colX(1) + 4, boxTop(0) + 4)).toEqual(rgb(SVG_COLORS.frames[0]));
    // T2's boxes on cpu0: the second colour.
    expect(at(colX(4) + 4, boxTop(0) + 4)).toEqual(rgb(SVG_COLORS.frames[1]));
    // The store into cpu0's copy from cpu1: a thick red border.
    expect(at(colX(7) - 1, boxTop(1) + L.box / 2)).toEqual(rgb(SVG_COLORS.foreignCopy));
    expect(at(colX(4) - 1, boxTop(0) + L.box / 2)).not.toEqual(rgb(SVG_COLORS.foreignCopy));
    // The violation's band over cpu0's empty lane: red tinted, not the lane's grey.
    const [r, g, b] = at(colX(7) + L.box / 2, boxTop(0) + L.box / 2);
    expect(r - g).toBeGreaterThan(30);
    expect(r - b).toBeGreaterThan(30);
    // An idle stretch of cpu1's lane stays the lane's grey, and the page is white.
    expect(at(colX(2) + L.box / 2, boxTop(1) + L.box / 2)).toEqual(rgb(SVG_COLORS.lane));
    expect(at(2, 2)).toEqual([255, 255, 255]);
  });

  it('handlers are dashed and marked with their context; an interrupt is a marker', () => {
    const r = exploreExhaustive(xchgIrqRaw);
    const svg = renderSvg(violationPicture('xchg-irq-raw', 2, r.violations[0]!));
    expect(svg).toContain('<g class="marker irq" data-n="4">');
    expect(svg.match(/data-who="ipi\[irq\]"[^]*?stroke-dasharray="4 2"/)).not.toBeNull();
    expect(svg).toContain('xchg-irq-raw: schedule 2');
    const { at } = png(svg);
    expect(at(colX(5) + 4, boxTop(1) + 4)).toEqual(rgb(SVG_COLORS.frames[2]));
  });

  it('whose copy a trace line touches', () => {
    expect(copyOf('movl %gs:slot, %eax', 1)).toBe(1);
    expect(copyOf('movl per_cpu(counter, 0), %eax', 1)).toBe(0);
    expect(copyOf("movl %eax, 0x1040    ; cpu0's copy", 1)).toBe(0);
    expect(copyOf('addl $1, %eax', 0)).toBeNull();
  });

  it('the HTML report holds the picture and the text trace, escaped', () => {
    const html = renderHtml(migrated());
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(html).toContain('<pre>  #1   cpu0 T1: movl per_cpu(counter, 0), %eax');
    expect(html).toContain('<p class="bad">VIOLATION: T2 on cpu1 stores into cpu0');
    expect(() => renderSvg(null as never)).toThrow('renderSvg: expected a picture { title, cpus, trace, violation, schedule }, got null');
  });
});

describe('percpu-sim explore --svg / --html', () => {
  let dir = '';
  afterEach(() => {
    vi.restoreAllMocks();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('draws the first violation, or says there is nothing to draw', async () => {
    dir = mkdtempSync(join(tmpdir(), 'percpu-svg-'));
    let out = '';
    let err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => { err += String(s); return true; });
    const svg = join(dir, 'v.svg');
    const html = join(dir, 'v.html');
    expect(await runExplore(['xchg-irq-raw', '--svg', svg, '--html', html])).toBe(1);
    expect(out).toContain(`picture: ${svg}\nreport: ${html}\n`);
    expect(readFileSync(svg, 'utf8')).toBe(renderSvg(violationPicture('xchg-irq-raw', 2, exploreExhaustive(xchgIrqRaw).violations[0]!)));
    expect(readFileSync(html, 'utf8')).toContain('<h1>xchg-irq-raw: schedule 2</h1>');
    const none = join(dir, 'none.svg');
    expect(await runExplore(['inc-irq', '--bound', '0', '--svg', none])).toBe(0);
    expect(err).toContain('percpu-sim explore: no violation: nothing drawn\n');
    expect(existsSync(none)).toBe(false);
    expect(await runExplore(['inc-irq', '--svg'])).toBe(2);
    expect(err).toContain('percpu-sim explore: --svg needs a file name');
  });
});
