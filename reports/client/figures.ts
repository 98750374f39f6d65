/*
 * "What the target saw": each figure a target drew from what it observed (harness/observations.ts), drawn the same
 * way whichever target gave it. Bars: grouped bars, one per series in each category. Lines: a path per series
 * (a null value breaks it), the spans shaded behind, the marks as dashed reference lines. A table is written by
 * the page itself (reports/html.ts): nothing to draw here.
 */

type Figure = import('../model.js').Figure;

interface FigureFrame {
  root: SVGSVGElement;
  left: number;
  top: number;
  right: number;
  bottom: number;
  y: (v: number) => number;
}

function renderObservations(data: ReportData, section: HTMLElement, width: number): void {
  for (const f of data.observations?.figures ?? []) {
    if (f.kind === 'table') continue;
    const figure = section.querySelector(`figure[data-figure="${f.id}"]`);
    const body = figure?.querySelector('.body') as HTMLElement | null;
    if (!body) continue;
    try {
      if (f.kind === 'bars') drawBars(f, body, width);
      else drawLines(f, body, width);
    } catch (e) {
      body.append(el('p', 'render-error', `This figure could not be drawn: ${e instanceof Error ? e.message : String(e)}`));
      console.error(e);
    }
  }
}

/* A number on an axis or in a tooltip: short, whatever its size. */
function fmtFigure(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(a >= 1e5 ? 0 : 1)}k`;
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(a >= 10 ? 1 : a >= 1 ? 2 : 3);
}

/* The y scale over the values and the marks (from zero for bars), with its ticks, in a frame with both axis labels. */
function figureFrame(f: Figure, body: HTMLElement, width: number, fromZero: boolean): FigureFrame & { ticks: number[] } {
  const values: number[] = [];
  for (const s of f.series) for (const v of s.values) if (v !== null) values.push(v);
  for (const m of f.marks ?? []) values.push(m.value);
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  if (fromZero) {
    lo = Math.min(0, lo);
    hi = Math.max(0, hi);
  }
  if (hi === lo) hi = lo + 1;
  const ticks = niceTicks(lo, hi, 5);
  // The scale ends on a labelled tick at or beyond the highest value (and starts on one at or below the lowest).
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  if (ticks[ticks.length - 1] < hi) ticks.push(ticks[ticks.length - 1] + step);
  if (ticks[0] > lo) ticks.unshift(ticks[0] - step);
  const y0 = ticks[0];
  const y1 = ticks[ticks.length - 1] > y0 ? ticks[ticks.length - 1] : y0 + 1;
  const labels = ticks.map(fmtFigure);
  const w = Math.max(320, Math.floor(width || 800));
  const h = w < 600 ? 240 : 300;
  const left = gutterFor(labels) + 16;
  const top = 10;
  const right = w - 12;
  const bottom = h - 40;
  const wrap = el('div', 'plot chart');
  body.append(wrap);
  const root = svg('svg', { viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-label': `${f.title}: ${f.y.label} by ${f.x.label}` }, wrap);
  const y = (v: number) => bottom - ((v - y0) / (y1 - y0)) * (bottom - top);
  svgText(12, (top + bottom) / 2, f.y.label, { class: 'axis-label', 'text-anchor': 'middle', transform: `rotate(-90 12 ${(top + bottom) / 2})` }, root);
  svgText((left + right) / 2, h - 6, f.x.label, { class: 'axis-label', 'text-anchor': 'middle' }, root);
  return { root, left, top, right, bottom, y, ticks };
}

function drawMarks(f: Figure, fr: FigureFrame): void {
  const g = svg('g', { class: 'marks' }, fr.root);
  for (const m of f.marks ?? []) {
    const yy = fr.y(m.value);
    const line = svg('line', { class: 'mark-line', x1: fr.left, x2: fr.right, y1: yy, y2: yy }, g);
    svg('title', undefined, line).textContent = `${m.label}: ${fmtFigure(m.value)}`;
    svgText(fr.right - 4, yy - 4, `${m.label} (${fmtFigure(m.value)})`, { class: 'mark-label', 'text-anchor': 'end' }, g);
  }
}

function figureLegend(f: Figure, body: HTMLElement, shape: 'box' | 'line', spanColours?: Map<string, string>): void {
  const legend = el('div', 'legend');
  f.series.forEach((s, i) => legend.append(legendItem(s.name, { shape, colour: PALETTE[i % PALETTE.length] })));
  for (const m of f.marks ?? []) legend.append(legendItem(m.label, { shape: 'line', colour: '#1d232b', border: 'dashed' }));
  for (const [label, colour] of spanColours ?? []) legend.append(legendItem(label, { shape: 'box', colour, opacity: 0.45 }));
  body.append(legend);
}

function drawBars(f: Figure, body: HTMLElement, width: number): void {
  const fr = figureFrame(f, body, width, true);
  const n = f.x.values.length;
  yAxisOf(fr, fr.ticks);
  const band = (fr.right - fr.left) / Math.max(1, n);
  const groups = Math.max(1, f.series.length);
  const barW = Math.max(1, (band * 0.8) / groups);
  const base = fr.y(0);
  const labelEvery = Math.max(1, Math.ceil((n * 60) / Math.max(1, fr.right - fr.left)));
  const axis = svg('g', { class: 'axis' }, fr.root);
  const bars = svg('g', { class: 'bars' }, fr.root);
  f.x.values.forEach((x, i) => {
    const x0 = fr.left + i * band + band * 0.1;
    if (i % labelEvery === 0) svgText(fr.left + (i + 0.5) * band, fr.bottom + 14, String(x), { 'text-anchor': 'middle' }, axis);
    f.series.forEach((s, j) => {
      const v = s.values[i];
      if (v === null || v === undefined) return;
      const yy = fr.y(v);
      const bar = svg('rect', { class: 'bar', 'data-series': j, 'data-x': i, x: (x0 + j * barW).toFixed(1), y: Math.min(yy, base).toFixed(1), width: barW.toFixed(1), height: Math.max(0.5, Math.abs(base - yy)).toFixed(1), fill: PALETTE[j % PALETTE.length] }, bars);
      svg('title', undefined, bar).textContent = `${s.name} · ${String(x)}: ${fmtFigure(v)}`;
    });
  });
  svg('line', { x1: fr.left, x2: fr.right, y1: base, y2: base, stroke: '#9aa5b1' }, axis);
  svg('rect', { class: 'frame', x: fr.left, y: fr.top, width: fr.right - fr.left, height: fr.bottom - fr.top }, fr.root);
  drawMarks(f, fr);
  fr.root.addEventListener('mousemove', (e) => {
    const p = svgPoint(fr.root, e);
    const i = Math.floor((p.x - fr.left) / band);
    if (p.x < fr.left || i < 0 || i >= n) return tooltip.hide();
    tooltip.show(`${f.x.label}: ${String(f.x.values[i])}`, f.series.map((s): [string, string] => [s.name, s.values[i] === null ? '—' : fmtFigure(s.values[i]!)]), e.clientX, e.clientY);
  });
  fr.root.addEventListener('mouseleave', () => tooltip.hide());
  figureLegend(f, body, 'box');
}

function drawLines(f: Figure, body: HTMLElement, width: number): void {
  const xs = f.x.values as number[];
  const ends = [...xs, ...(f.spans ?? []).flatMap((s) => [s.start, s.end])];
  let x0 = ends.length ? Math.min(...ends) : 0;
  let x1 = ends.length ? Math.max(...ends) : 1;
  if (x1 === x0) {
    x0 -= 1;
    x1 += 1;
  }
  const fr = figureFrame(f, body, width, false);
  const x = (v: number) => fr.left + ((v - x0) / (x1 - x0)) * (fr.right - fr.left);
  const colours = new Map<string, string>();
  for (const s of f.spans ?? []) if (!colours.has(s.label)) colours.set(s.label, FAULT_PALETTE[colours.size % FAULT_PALETTE.length]);
  const spans = svg('g', { class: 'spans' }, fr.root);
  for (const s of f.spans ?? []) {
    const r = svg('rect', { class: 'span nemesis', x: x(s.start), y: fr.top, width: Math.max(1, x(s.end) - x(s.start)), height: fr.bottom - fr.top, fill: colours.get(s.label) }, spans);
    svg('title', undefined, r).textContent = `${s.label} ${fmtFigure(s.start)}–${fmtFigure(s.end)}`;
    // Labelled where it is wide enough to hold a few letters; the legend and the title name every span.
    if (x(s.end) - x(s.start) >= 40) svgText(x(s.start) + 3, fr.top + 11, s.label, { class: 'span-label' }, spans);
  }
  yAxisOf(fr, fr.ticks);
  const axis = svg('g', { class: 'axis' }, fr.root);
  for (const t of niceTicks(x0, x1, Math.max(2, Math.floor((fr.right - fr.left) / 110)))) {
    svg('line', { x1: x(t), x2: x(t), y1: fr.top, y2: fr.bottom + 4 }, axis);
    svgText(x(t), fr.bottom + 16, fmtFigure(t), { 'text-anchor': 'middle' }, axis);
  }
  svg('rect', { class: 'frame', x: fr.left, y: fr.top, width: fr.right - fr.left, height: fr.bottom - fr.top }, fr.root);
  const lines = svg('g', { class: 'lines' }, fr.root);
  f.series.forEach((s, j) => {
    // One path per series; a null lifts the pen, so a gap in the data reads as a gap, not a slope.
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null) return void (pen = false);
      d += `${pen ? 'L' : 'M'}${x(xs[i]).toFixed(1)},${fr.y(v).toFixed(1)}`;
      pen = true;
    });
    const path = svg('path', { class: 'series', 'data-series': j, d: d || 'M0,0', fill: 'none', stroke: PALETTE[j % PALETTE.length], 'stroke-width': 1.6, 'stroke-linejoin': 'round' }, lines);
    svg('title', undefined, path).textContent = s.name;
  });
  drawMarks(f, fr);
  const cursor = svg('line', { class: 'cursor', y1: fr.top, y2: fr.bottom, stroke: '#1d232b', 'stroke-width': 0.8, visibility: 'hidden' }, fr.root);
  fr.root.addEventListener('mousemove', (e) => {
    const p = svgPoint(fr.root, e);
    if (p.x < fr.left || p.x > fr.right || xs.length === 0) {
      cursor.setAttribute('visibility', 'hidden');
      return tooltip.hide();
    }
    let i = 0;
    for (let k = 1; k < xs.length; k++) if (Math.abs(x(xs[k]) - p.x) < Math.abs(x(xs[i]) - p.x)) i = k;
    cursor.setAttribute('x1', String(x(xs[i])));
    cursor.setAttribute('x2', String(x(xs[i])));
    cursor.setAttribute('visibility', 'visible');
    tooltip.show(`${f.x.label}: ${fmtFigure(xs[i])}`, f.series.map((s): [string, string] => [s.name, s.values[i] === null ? '—' : fmtFigure(s.values[i]!)]), e.clientX, e.clientY);
  });
  fr.root.addEventListener('mouseleave', () => {
    cursor.setAttribute('visibility', 'hidden');
    tooltip.hide();
  });
  figureLegend(f, body, 'line', colours);
}

function yAxisOf(fr: FigureFrame, ticks: number[]): void {
  const g = svg('g', { class: 'axis' }, fr.root);
  for (const v of ticks) {
    const yy = fr.y(v);
    svg('line', { x1: fr.left - 4, x2: fr.right, y1: yy, y2: yy }, g);
    svgText(fr.left - 6, yy + 3.5, fmtFigure(v), { 'text-anchor': 'end' }, g);
  }
}
