/*
 * The timeline: one lane per process, each op a bar from invocation to completion, faults shaded across every
 * lane. Zooming and panning change the visible time range and lay the bars out again in pixels (cheap at 20,000
 * bars, and it keeps every bar at least a pixel wide); wheel, buttons, drag and pinch all do that.
 */

interface TimelineView {
  /* Shows [t0, t1] (ms). */
  setView(t0: number, t1: number): void;
  /* Outlines the op with this index (none: undefined). */
  highlight(index: number | undefined): void;
  node: HTMLElement;
}

/* The ops the checker's evidence names, outlined in red: what is wrong with each (for the tooltip), and the legend's words. */
interface Marks {
  ops: ReadonlyMap<number, string>;
  legend: string;
}

function renderTimeline(data: ReportData, section: HTMLElement, marks: Marks, initialWidth: number): TimelineView {
  const failing = marks.ops;
  const body = section.querySelector('.body') as HTMLElement;
  const ops = data.ops;
  const lanes = data.processes.length;
  const end = Math.max(1, data.durationMs, ops.reduce((m, o) => Math.max(m, o.e), 0), data.nemesis.reduce((m, f) => Math.max(m, f.stop), 0));
  const colours = faultColours(data.nemesis);

  if (data.opsSampled.shown < data.opsSampled.total)
    body.append(el('p', 'sampled', `Showing ${fmtNum(data.opsSampled.shown)} of ${fmtNum(data.opsSampled.total)} ops; every op of an anomaly is kept.`));

  /* Lanes as tall as fit in most of the window: the whole timeline in view unless there are hundreds of lanes. */
  const room = Math.max(320, (window.innerHeight || 800) * 0.7 - 60);
  const laneH = Math.max(4, Math.min(18, Math.floor(room / Math.max(1, lanes))));
  const barH = Math.max(3, laneH - (laneH >= 10 ? 4 : 1));
  const labels = data.processes.map(String);
  const labelEvery = laneH >= 11 ? 1 : Math.ceil(11 / laneH);
  const gutter = Math.min(90, 14 + 6.5 * Math.max(2, ...labels.map((l) => l.length)));
  const axisH = 20;
  const rows = faultRows(data.nemesis);
  const rowCount = Math.min(4, rows.count);
  const labelsH = rowCount * 13 + (rowCount ? 3 : 0);
  const plotTop = axisH + labelsH;
  const height = plotTop + lanes * laneH + 4;

  const scroll = el('div', 'plot tl-scroll');
  body.append(scroll);
  const root = svg('svg', { height, role: 'img', 'aria-label': `Timeline of ${ops.length} ops on ${lanes} processes` }, scroll);
  const clipId = 'tl-clip';
  const clipRect = svg('rect', { x: gutter, y: 0, height }, svg('clipPath', { id: clipId }, svg('defs', undefined, root)));
  const clip = `url(#${clipId})`;

  const lanesG = svg('g', { class: 'lanes' }, root);
  const stripes: SVGRectElement[] = [];
  for (let p = 0; p < lanes; p++) {
    if (p % 2 === 0) stripes.push(svg('rect', { class: 'lane-bg', x: 0, y: plotTop + p * laneH, height: laneH }, lanesG));
    if (p % labelEvery === 0)
      svgText(gutter - 6, plotTop + p * laneH + laneH / 2 + 3.5, labels[p], { 'text-anchor': 'end', 'font-size': Math.min(11, Math.max(8, laneH - 2)) }, lanesG);
  }
  const grid = svg('g', { class: 'grid', 'clip-path': clip }, root);
  const axis = svg('g', { class: 'axis' }, root);
  /* Bars, bands and markers are placed in pixels at every zoom or pan. (Drawn in time units under one scaled group
     instead, 5,000 bars took Chromium seconds to paint: a scale of ~0.001 sends it down a slow raster path.) */
  const view = svg('g', { class: 'view' }, svg('g', { 'clip-path': clip }, root));
  const bandsG = svg('g', { class: 'bands' }, view);
  const bands = drawFaultBands(bandsG, data.nemesis, colours, (t) => t, axisH, height);
  const opsG = svg('g', { class: 'ops' }, view);
  const rects: SVGRectElement[] = new Array(ops.length);
  const opOf = new WeakMap<Element, ReportOp>();
  const byIndex = new Map<number, SVGRectElement>();
  const frag = document.createDocumentFragment();
  for (let j = 0; j < ops.length; j++) {
    const o = ops[j];
    const r = document.createElementNS(SVG_NS, 'rect') as SVGRectElement;
    r.setAttribute('class', `op ${o.t}${failing.has(o.i) ? ' anomalous' : ''}`);
    r.setAttribute('data-index', String(o.i));
    r.setAttribute('y', String(plotTop + o.p * laneH + (laneH - barH) / 2));
    r.setAttribute('height', String(barH));
    frag.appendChild(r);
    rects[j] = r;
    opOf.set(r, o);
    byIndex.set(o.i, r);
  }
  opsG.appendChild(frag);
  const marksG = svg('g', { class: 'marks' }, view);
  const markers = ops.filter((o) => failing.has(o.i)).map((o) => ({ o, line: svg('line', { class: 'err-marker', y1: axisH, y2: height }, marksG) }));
  const faultLabelsG = svg('g', { class: 'fault-labels', 'clip-path': clip }, root);
  const faultLabels = data.nemesis.map((f, j) =>
    rows.row[j] < rowCount ? svgText(0, axisH + 10 + rows.row[j] * 13, f.fault, { class: 'nemesis-label' }, faultLabelsG) : undefined,
  );

  let width = 0;
  let plotW = 1;
  let t0 = 0;
  let t1 = end;
  let laidOut = '';
  /** Every bar, band and marker at the current zoom: bars at least a pixel wide, so no op vanishes. */
  function place(k: number): void {
    const key = `${t0}:${k}`;
    if (key === laidOut) return;
    laidOut = key;
    const px = (t: number) => gutter + (t - t0) * k;
    for (let j = 0; j < ops.length; j++) {
      const o = ops[j];
      rects[j].setAttribute('x', px(o.s).toFixed(2));
      rects[j].setAttribute('width', Math.max(1, (o.e - o.s) * k).toFixed(2));
    }
    bands.forEach((b, j) => {
      b.setAttribute('x', px(data.nemesis[j].start).toFixed(2));
      b.setAttribute('width', Math.max(1, (data.nemesis[j].stop - data.nemesis[j].start) * k).toFixed(2));
    });
    for (const { o, line } of markers) {
      line.setAttribute('x1', px(o.s).toFixed(2));
      line.setAttribute('x2', px(o.s).toFixed(2));
    }
  }
  const x = (t: number) => gutter + ((t - t0) / (t1 - t0)) * plotW;

  function layout(): void {
    const k = plotW / (t1 - t0);
    place(k);
    // The visible window, for whoever reads the drawing (tests, screenshots): what a zoom or a pan changed.
    view.setAttribute('data-window', `${t0.toFixed(3)} ${t1.toFixed(3)}`);
    data.nemesis.forEach((f, j) => {
      const label = faultLabels[j];
      if (!label) return;
      const a = Math.max(gutter, x(f.start));
      const room = Math.min(gutter + plotW, x(f.stop)) - a;
      label.setAttribute('x', (a + 2).toFixed(1));
      label.setAttribute('visibility', room >= f.fault.length * 5.6 + 4 ? 'visible' : 'hidden');
    });
    grid.replaceChildren();
    axis.replaceChildren();
    for (const t of niceTicks(t0, t1, Math.max(2, Math.floor(plotW / 110)))) {
      const tx = x(t);
      if (tx < gutter - 0.5 || tx > gutter + plotW + 0.5) continue;
      svg('line', { x1: tx, x2: tx, y1: axisH - 4, y2: height }, grid);
      svgText(tx, axisH - 7, fmtTime(t, t1 - t0), { 'text-anchor': 'middle' }, axis);
    }
  }

  let pending = false;
  function schedule(): void {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      layout();
    });
  }

  function resize(measured?: number): void {
    const w = Math.max(300, Math.floor(measured ?? scroll.clientWidth));
    if (w === width) return;
    width = w;
    plotW = Math.max(10, width - gutter - 8);
    root.setAttribute('width', String(width));
    root.setAttribute('viewBox', `0 0 ${width} ${height}`);
    clipRect.setAttribute('width', String(plotW));
    for (const s of stripes) s.setAttribute('width', String(width));
    layout();
  }

  const minSpan = 0.01;
  function setView(a: number, b: number): void {
    let span = Math.min(end, Math.max(minSpan, b - a));
    let lo = a;
    if (b - a < minSpan) lo = (a + b) / 2 - span / 2;
    lo = Math.min(Math.max(0, lo), end - span);
    if (span >= end) {
      lo = 0;
      span = end;
    }
    t0 = lo;
    t1 = lo + span;
    schedule();
  }
  function zoomAt(factor: number, px: number): void {
    const frac = Math.min(1, Math.max(0, (px - gutter) / plotW));
    const at = t0 + frac * (t1 - t0);
    const span = (t1 - t0) / factor;
    setView(at - frac * span, at - frac * span + span);
  }
  function pan(dx: number): void {
    const dt = (dx / plotW) * (t1 - t0);
    setView(t0 - dt, t1 - dt);
  }
  const localX = (clientX: number) => clientX - root.getBoundingClientRect().left;

  (document.getElementById('timeline-zoom-in') as HTMLButtonElement).addEventListener('click', () => zoomAt(2, gutter + plotW / 2));
  (document.getElementById('timeline-zoom-out') as HTMLButtonElement).addEventListener('click', () => zoomAt(0.5, gutter + plotW / 2));
  (document.getElementById('timeline-reset') as HTMLButtonElement).addEventListener('click', () => setView(0, end));

  root.addEventListener(
    'wheel',
    (e) => {
      const scrollable = scroll.scrollHeight > scroll.clientHeight + 1;
      if (scrollable && !e.ctrlKey && !e.metaKey && !e.shiftKey) return;
      e.preventDefault();

      const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) pan(-(e.shiftKey && e.deltaX === 0 ? e.deltaY : e.deltaX) * unit);
      else zoomAt(Math.exp(-e.deltaY * unit * 0.002), localX(e.clientX));
    },
    { passive: false },
  );

  const showOp = (target: EventTarget | null, cx: number, cy: number): boolean => {
    const t = target instanceof Element ? target.closest('.op') : null;
    const o = t ? opOf.get(t) : undefined;
    if (!o) return false;
    tooltip.show(opHead(o), opRows(o, data.processes, failing.has(o.i) ? [['anomaly', failing.get(o.i)]] : []), cx, cy);
    return true;
  };
  root.addEventListener('mouseover', (e) => {
    if (!dragging && !showOp(e.target, e.clientX, e.clientY)) tooltip.hide();
  });
  root.addEventListener('mousemove', (e) => {
    if (dragging) return;
    if (!showOp(e.target, e.clientX, e.clientY)) tooltip.hide();
  });
  root.addEventListener('mouseleave', () => tooltip.hide());

  /* Drag to pan, two pointers to pinch; a tap (no movement) shows the op under the finger. */
  const pointers = new Map<number, { x: number; y: number }>();
  let dragging = false;
  let moved = 0;
  let pinch: { d: number; mid: number } | undefined;
  root.addEventListener('pointerdown', (e) => {
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
    moved = 0;
    if (pointers.size === 2) pinch = pinchOf();
  });
  function pinchOf(): { d: number; mid: number } {
    const [a, b] = [...pointers.values()];
    return { d: Math.max(1, Math.abs(a.x - b.x)), mid: localX((a.x + b.x) / 2) };
  }
  root.addEventListener('pointermove', (e) => {
    const p = pointers.get(e.pointerId);
    if (!p) return;
    const dx = e.clientX - p.x;
    moved += Math.abs(dx) + Math.abs(e.clientY - p.y);
    p.x = e.clientX;
    p.y = e.clientY;
    if (pointers.size === 2 && pinch) {

      const next = pinchOf();
      zoomAt(next.d / pinch.d, next.mid);
      pinch = next;
      return;
    }
    if (!dragging && moved > 4) {
      dragging = true;
      root.classList.add('dragging');
      root.setPointerCapture(e.pointerId);
      tooltip.hide();
    }
    if (dragging) pan(dx);
  });
  const up = (e: PointerEvent) => {
    if (!pointers.has(e.pointerId)) return;
    pointers.delete(e.pointerId);
    if (pointers.size < 2) pinch = undefined;
    if (e.type === 'pointerup' && !dragging && moved <= 4 && e.pointerType !== 'mouse') {
      if (!showOp(e.target, e.clientX, e.clientY)) tooltip.hide();
    }
    if (pointers.size === 0) {
      dragging = false;
      root.classList.remove('dragging');
    }
  };
  root.addEventListener('pointerup', up);
  root.addEventListener('pointercancel', up);

  const legend = el('div', 'legend');
  for (const t of ['ok', 'fail', 'info', 'pending'] as OpKind[])
    legend.append(legendItem(t, { shape: 'box', colour: TYPE_COLOURS[t] }));
  if (failing.size > 0)
    legend.append(legendItem(marks.legend, { shape: 'box', colour: '#fff', border: '2px solid #d7263d' }));
  faultLegend(legend, colours);
  body.append(legend);

  resize(initialWidth - 2);
  if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => resize()).observe(scroll);
  else window.addEventListener('resize', () => resize());

  let lit: SVGRectElement | undefined;
  return {
    setView,
    highlight(index) {
      lit?.classList.remove('hl');
      lit = index === undefined ? undefined : byIndex.get(index);
      lit?.classList.add('hl');
    },
    node: section,
  };
}

/* Rows for fault labels so overlapping faults do not print over each other. */
function faultRows(faults: ReportFault[]): { row: number[]; count: number } {
  const ends: number[] = [];
  const row = faults.map((f) => {
    let r = ends.findIndex((e) => e <= f.start);
    if (r < 0) r = ends.length;
    ends[r] = f.stop;
    return r;
  });
  return { row, count: ends.length };
}
