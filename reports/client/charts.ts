/*
 * Latency (a scatter on a log scale with the quantile lines) and throughput (ops/s per bucket), both over the
 * run's time with the faults shaded. Drawn in a viewBox as wide as the section when drawn, so they scale.
 */

interface Frame {
  root: SVGSVGElement;
  w: number;
  h: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
  x: (t: number) => number;
}

function chartFrame(body: HTMLElement, width: number, label: string, end: number, yLabels: string[]): Frame {
  const w = Math.max(320, Math.floor(width || 800));
  const h = w < 600 ? 230 : 300;
  const left = gutterFor(yLabels);
  const top = 8;
  const right = w - 10;
  const bottom = h - 24;
  const wrap = el('div', 'plot chart');
  body.append(wrap);
  const root = svg('svg', { viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-label': label }, wrap);
  const x = (t: number) => left + (t / end) * (right - left);
  return { root, w, h, left, top, right, bottom, x };
}

function timeAxis(f: Frame, end: number): void {
  const g = svg('g', { class: 'axis' }, f.root);
  for (const t of niceTicks(0, end, Math.max(2, Math.floor((f.right - f.left) / 110)))) {
    const x = f.x(t);
    svg('line', { x1: x, x2: x, y1: f.top, y2: f.bottom + 4 }, g);
    svgText(x, f.bottom + 16, fmtTime(t, end), { 'text-anchor': 'middle' }, g);
  }
  svg('rect', { class: 'frame', x: f.left, y: f.top, width: f.right - f.left, height: f.bottom - f.top }, f.root);
}

function yAxis(f: Frame, ticks: number[], y: (v: number) => number, label: (v: number) => string): void {
  const g = svg('g', { class: 'axis' }, f.root);
  for (const v of ticks) {
    const yy = y(v);
    svg('line', { x1: f.left - 4, x2: f.right, y1: yy, y2: yy }, g);
    svgText(f.left - 6, yy + 3.5, label(v), { 'text-anchor': 'end' }, g);
  }
}

/* Where a pointer event falls in the SVG's own coordinates. */
function svgPoint(root: SVGSVGElement, e: MouseEvent): { x: number; y: number } {
  const m = root.getScreenCTM();
  if (!m) return { x: 0, y: 0 };
  const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
  return { x: p.x, y: p.y };
}

function renderLatency(data: ReportData, section: HTMLElement, width: number): void {
  const body = section.querySelector('.body') as HTMLElement;
  const L = data.latency;
  const end = Math.max(1, data.durationMs);
  if (L.points.length === 0 && L.quantiles.length === 0) {
    body.append(el('p', 'note', 'No op completed.'));
    return;
  }
  if (L.pointsSampled.shown < L.pointsSampled.total)
    body.append(el('p', 'sampled', `Showing ${fmtNum(L.pointsSampled.shown)} of ${fmtNum(L.pointsSampled.total)} completed ops; the quantile lines are over every op.`));

  let lo = Infinity;
  let hi = 0;
  for (const p of L.points) {
    if (p[1] > 0) lo = Math.min(lo, p[1]);
    hi = Math.max(hi, p[1]);
  }
  for (const q of L.quantiles) {
    if (q.p50 > 0) lo = Math.min(lo, q.p50);
    hi = Math.max(hi, q.p99);
  }
  if (!Number.isFinite(lo)) lo = 0.001;
  if (hi < lo) hi = lo;
  const dLo = Math.floor(Math.log10(lo));
  let dHi = Math.ceil(Math.log10(hi));
  if (dHi <= dLo) dHi = dLo + 1;
  const ticks: number[] = [];
  for (let d = dLo; d <= dHi; d++) for (const m of dHi - dLo <= 2 ? [1, 2, 5] : [1]) if (d < dHi || m === 1) ticks.push(m * Math.pow(10, d));
  const f = chartFrame(body, width, `Latency of ${L.points.length} ops over time`, end, ticks.map(fmtDuration));
  const yMin = Math.pow(10, dLo);
  const y = (v: number) => f.bottom - ((Math.log10(Math.max(v, yMin)) - dLo) / (dHi - dLo)) * (f.bottom - f.top);

  const colours = faultColours(data.nemesis);
  drawFaultBands(svg('g', { class: 'bands' }, f.root), data.nemesis, colours, f.x, f.top, f.bottom);
  yAxis(f, ticks, y, fmtDuration);
  timeAxis(f, end);

  const fcol = fColours(data);
  const pts = svg('g', { class: 'points' }, f.root);
  const frag = document.createDocumentFragment();
  L.points.forEach((p, n) => {
    const [t, lat, fi, ti] = p;
    const type = L.types[ti] ?? 'ok';
    const colour = fcol.get(L.fs[fi]) ?? PALETTE[0];
    const cx = f.x(t);
    const cy = y(lat);
    let mark: SVGElement;
    if (type === 'fail') mark = svg('rect', { x: (cx - 2.2).toFixed(1), y: (cy - 2.2).toFixed(1), width: 4.4, height: 4.4, fill: colour });
    else if (type === 'info') mark = svg('circle', { cx: cx.toFixed(1), cy: cy.toFixed(1), r: 2.6, fill: 'none', stroke: colour, 'stroke-width': 1.2 });
    else mark = svg('circle', { cx: cx.toFixed(1), cy: cy.toFixed(1), r: 2, fill: colour, 'fill-opacity': 0.55 });
    mark.setAttribute('class', `point ${type}`);
    mark.setAttribute('data-n', String(n));
    frag.appendChild(mark);
  });
  pts.appendChild(frag);

  const quantiles = svg('g', { class: 'quantiles' }, f.root);
  let gap = Infinity;
  for (let j = 1; j < L.quantiles.length; j++) gap = Math.min(gap, L.quantiles[j].t - L.quantiles[j - 1].t);
  const half = Number.isFinite(gap) ? gap / 2 : 0;
  const QS = [
    ['p50', '', 1.6],
    ['p95', '6 3', 1.4],
    ['p99', '2 2', 1.4],
  ] as const;
  for (const [q, dash, sw] of QS) {
    if (L.quantiles.length === 0) break;
    const d = L.quantiles.map((b) => `${f.x(b.t + half).toFixed(1)},${y(b[q]).toFixed(1)}`).join(' ');
    const line = svg('polyline', { class: `line quantile ${q}`, points: d, fill: 'none', stroke: '#1d232b', 'stroke-width': sw, 'stroke-dasharray': dash || undefined }, quantiles);
    svg('title', undefined, line).textContent = `${q} latency per time bucket`;
  }

  f.root.addEventListener('mousemove', (e) => {
    const t = e.target instanceof Element ? e.target.closest('.point') : null;
    const n = t ? Number(t.getAttribute('data-n')) : NaN;
    const p = L.points[n];
    if (!p) return tooltip.hide();
    tooltip.show(`${L.fs[p[2]] ?? '?'} · ${L.types[p[3]] ?? '?'}`, [['latency', fmtDuration(p[1])], ['completed', fmtTime(p[0], 1000)]], e.clientX, e.clientY);
  });
  f.root.addEventListener('mouseleave', () => tooltip.hide());

  const legend = el('div', 'legend');
  for (const name of L.fs) legend.append(legendItem(name, { shape: 'dot', colour: fcol.get(name) ?? '#000' }));
  legend.append(
    legendItem('ok', { shape: 'dot', colour: '#5c6773' }),
    legendItem('fail', { shape: 'box', colour: '#5c6773' }),
    legendItem('info', { shape: 'ring', colour: '#5c6773' }),
  );
  for (const [q, dash] of QS) legend.append(legendItem(q, { shape: 'line', colour: '#1d232b', border: dash === '' ? 'solid' : dash === '6 3' ? 'dashed' : 'dotted' }));
  faultLegend(legend, colours);
  body.append(legend);
}

function renderThroughput(data: ReportData, section: HTMLElement, width: number): void {
  const body = section.querySelector('.body') as HTMLElement;
  const T = data.throughput;
  const end = Math.max(1, data.durationMs);
  if (T.series.length === 0) {
    body.append(el('p', 'note', 'No op completed.'));
    return;
  }
  const perS = 1000 / Math.max(1e-9, T.bucketMs);
  // The checker's evidence counted per second (every lost element of a set): drawn on the same time axis, in red.
  const rates = data.checker.presentation.rates ?? [];
  let max = 0;
  for (const s of T.series) for (const c of s.counts) max = Math.max(max, c * perS);
  for (const r of rates) for (const c of r.perSecond) max = Math.max(max, c);
  const ticks = niceTicks(0, max || 1, 5);
  // The scale reaches the highest bucket even when the last nice tick falls short of it.
  const top = Math.max(ticks[ticks.length - 1] || 1, max);
  const label = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(0)}k` : v >= 10 || v === 0 ? v.toFixed(0) : v.toFixed(1));
  const f = chartFrame(body, width, 'Completed ops per second over time', end, ticks.map(label));
  const y = (v: number) => f.bottom - (v / top) * (f.bottom - f.top);
  const colours = faultColours(data.nemesis);
  drawFaultBands(svg('g', { class: 'bands' }, f.root), data.nemesis, colours, f.x, f.top, f.bottom);
  yAxis(f, ticks, y, label);
  timeAxis(f, end);
  svgText(f.left + 4, f.top + 12, 'ops/s', { class: 'unit' }, f.root);

  const fs = [...new Set(T.series.map((s) => s.f))];
  const fcol = fColours(data);
  const dashOf: Record<OpKind, string | undefined> = { ok: undefined, fail: '6 3', info: '2 2', pending: '1 3' };
  const lines = svg('g', { class: 'lines' }, f.root);
  for (const s of T.series) {
    const colour = fcol.get(s.f);
    const d = s.counts.map((c, i) => `${f.x((i + 0.5) * T.bucketMs).toFixed(1)},${y(c * perS).toFixed(1)}`).join(' ');
    const line = svg('polyline', { class: `line ${s.t}`, points: d, fill: 'none', stroke: colour, 'stroke-width': 1.5, 'stroke-dasharray': dashOf[s.t], 'stroke-linejoin': 'round' }, lines);
    svg('title', undefined, line).textContent = `${s.f} ${s.t}`;
  }

  for (const r of rates) {
    // A step per second, so a second with none lost reads as zero, not as a slope between its neighbours.
    const pts: string[] = [];
    r.perSecond.forEach((c, i) => {
      const x0 = f.x(Math.min(end, i * 1000));
      const x1 = f.x(Math.min(end, (i + 1) * 1000));
      pts.push(`${x0.toFixed(1)},${y(c).toFixed(1)}`, `${x1.toFixed(1)},${y(c).toFixed(1)}`);
    });
    const line = svg('polyline', { class: 'line rate', 'data-rate': r.label, points: pts.join(' '), fill: 'none', stroke: RATE_COLOUR, 'stroke-width': 2, 'stroke-linejoin': 'round' }, lines);
    svg('title', undefined, line).textContent = `${r.label} per second: ${r.what}`;
  }

  const cursor = svg('line', { class: 'cursor', y1: f.top, y2: f.bottom, stroke: '#1d232b', 'stroke-width': 0.8, visibility: 'hidden' }, f.root);
  f.root.addEventListener('mousemove', (e) => {
    const p = svgPoint(f.root, e);
    const i = Math.floor((((p.x - f.left) / (f.right - f.left)) * end) / T.bucketMs);
    const n = T.series[0].counts.length;
    if (p.x < f.left || p.x > f.right || i < 0 || i >= n) {
      cursor.setAttribute('visibility', 'hidden');
      return tooltip.hide();
    }
    const cx = f.x((i + 0.5) * T.bucketMs);
    cursor.setAttribute('x1', String(cx));
    cursor.setAttribute('x2', String(cx));
    cursor.setAttribute('visibility', 'visible');
    tooltip.show(
      `${fmtTime(i * T.bucketMs, end)}–${fmtTime((i + 1) * T.bucketMs, end)}`,
      [
        ...T.series.map((s): [string, string] => [`${s.f} ${s.t}`, `${label(s.counts[i] * perS)} ops/s (${s.counts[i]})`]),
        ...rates.map((r): [string, string] => [`${r.label}/s`, String(r.perSecond[Math.floor((i * T.bucketMs) / 1000)] ?? 0)]),
      ],
      e.clientX,
      e.clientY,
    );
  });
  f.root.addEventListener('mouseleave', () => {
    cursor.setAttribute('visibility', 'hidden');
    tooltip.hide();
  });

  const legend = el('div', 'legend');
  for (const name of fs) legend.append(legendItem(name, { shape: 'line', colour: fcol.get(name) ?? '#000' }));
  for (const t of ['ok', 'fail', 'info'] as OpKind[])
    if (T.series.some((s) => s.t === t))
      legend.append(legendItem(t, { shape: 'line', colour: '#5c6773', border: t === 'ok' ? 'solid' : t === 'fail' ? 'dashed' : 'dotted' }));
  for (const r of rates) legend.append(legendItem(`${r.label}/s (${r.perSecond.reduce((a, b) => a + b, 0)})`, { shape: 'line', colour: RATE_COLOUR }));
  faultLegend(legend, colours);
  body.append(legend);
}

/** The colour of evidence plotted per second: the timeline's marks' red. */
const RATE_COLOUR = '#d7263d';
