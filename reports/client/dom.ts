/*
 * The page's script, as plain scripts that share one scope: html.ts concatenates dom, timeline, charts, figures, anomaly
 * and main (in that order) inside one function. No file imports or exports anything at runtime; the types come
 * from the data contract. Every value from the data is set with textContent or as an SVG text node, never as
 * markup.
 */

type ReportData = import('../model.js').ReportData;
type ReportOp = import('../model.js').ReportOp;
type ReportFault = import('../model.js').ReportFault;
type ReportAnomaly = import('../../checkers/presentation.js').LinearizationAnomaly;
type ReportCandidate = import('../../checkers/presentation.js').LinearizationCandidate;
type OpKind = import('../model.js').Outcome;

/* The SVG namespace, read from an <svg> the HTML parser made (the page holds no URL, not even this one). */
const SVG_NS = (document.querySelector('svg.probe') ?? document.createElement('div')).namespaceURI ?? '';

type Attrs = Record<string, string | number | undefined>;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag) as SVGElementTagNameMap[K];
  if (attrs) for (const k in attrs) if (attrs[k] !== undefined) e.setAttribute(k, String(attrs[k]));
  if (parent) parent.appendChild(e);
  return e;
}

function svgText(x: number, y: number, text: string, attrs?: Attrs, parent?: Element): SVGTextElement {
  const t = svg('text', { x, y, ...attrs }, parent);
  t.textContent = text;
  return t;
}

const TYPE_COLOURS: Record<OpKind, string> = { ok: '#4a90d9', fail: '#f09ac0', info: '#f5a524', pending: '#b5b5b5' };
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#d62728'];
const FAULT_PALETTE = ['#e9b44c', '#9b72cf', '#e4572e', '#50a2a7', '#a1c181', '#c9897b', '#6a8eae'];

function faultColours(faults: ReportFault[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of faults) if (!m.has(f.fault)) m.set(f.fault, FAULT_PALETTE[m.size % FAULT_PALETTE.length]);
  return m;
}

function fmtNum(n: number): string {
  return n.toLocaleString('en-US');
}

/* A time (ms since the run's start) at a precision suited to `span` (the visible range, ms). */
function fmtTime(ms: number, span: number): string {
  if (span >= 120_000) {
    const m = Math.floor(ms / 60_000);
    const s = (ms - m * 60_000) / 1000;
    return `${m}:${s.toFixed(span >= 600_000 ? 0 : 1).padStart(span >= 600_000 ? 2 : 4, '0')}`;
  }
  if (span >= 2000) return `${(ms / 1000).toFixed(span >= 20_000 ? 0 : 1)} s`;
  if (span >= 20) return `${(ms / 1000).toFixed(span >= 200 ? 2 : 3)} s`;
  return `${ms.toFixed(span >= 2 ? 1 : 2)} ms`;
}

function fmtDuration(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 1 : 2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(ms >= 1 ? 1 : 3)} ms`;
}

/* Round tick positions between lo and hi, about `count` of them. */
function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [lo];
  const raw = span / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

/* The shared tooltip: rows of label and value, placed near the pointer, kept inside the viewport. */
const tooltip = {
  node: document.getElementById('tooltip') as HTMLDivElement,
  show(head: string, rows: [string, string | undefined][], x: number, y: number): void {
    const n = this.node;
    n.replaceChildren(el('div', 't-head', head));
    for (const [k, v] of rows) {
      if (v === undefined) continue;
      const row = el('div', 't-row');
      row.append(el('span', 't-k', k), document.createTextNode(' '), el('span', 't-v', v));
      n.append(document.createTextNode('\n'), row);
    }
    n.hidden = false;
    this.move(x, y);
  },
  move(x: number, y: number): void {
    const n = this.node;
    const w = n.offsetWidth;
    const h = n.offsetHeight;
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    let left = x + 14;
    if (left + w > vw - 4) left = Math.max(4, x - w - 14);
    let top = y + 14;
    if (top + h > vh - 4) top = Math.max(4, y - h - 14);
    n.style.left = `${left}px`;
    n.style.top = `${top}px`;
  },
  hide(): void {
    this.node.hidden = true;
  },
};

/* What the tooltip says about an op. */
function opRows(op: ReportOp, processes: (number | string)[], extra: [string, string | undefined][] = []): [string, string | undefined][] {
  return [
    ['process', String(processes[op.p] ?? op.p)],
    ['type', op.t],
    ['key', op.k],
    ['value', op.v],
    ['result', op.r],
    ['error', op.err],
    ['invoked', fmtTime(op.s, 1000)],
    ['completed', op.t === 'pending' ? 'never' : fmtTime(op.e, 1000)],
    ['latency', op.t === 'pending' ? undefined : fmtDuration(op.e - op.s)],
    ...extra,
  ];
}

function opHead(op: ReportOp, label?: string): string {
  return `${label ?? op.f} · index ${op.i}`;
}

/* A legend swatch, drawn in CSS (the charts' only <svg> is the chart itself): a box, a dot, a ring or a line. */
interface Swatch {
  shape: 'box' | 'dot' | 'ring' | 'line';
  colour: string;
  /* An outline (box) or the line's style. */
  border?: string;
  opacity?: number;
}

function legendItem(label: string, sw: Swatch): HTMLSpanElement {
  const item = el('span', 'item');
  const mark = el('span', `swatch ${sw.shape}`);
  mark.setAttribute('aria-hidden', 'true');
  if (sw.shape === 'line') mark.style.borderTop = `2px ${sw.border ?? 'solid'} ${sw.colour}`;
  else if (sw.shape === 'ring') mark.style.border = `1.5px solid ${sw.colour}`;
  else {
    mark.style.background = sw.colour;
    if (sw.border) mark.style.border = sw.border;
  }
  if (sw.opacity !== undefined) mark.style.opacity = String(sw.opacity);
  item.append(mark, document.createTextNode(label));
  return item;
}

/* Nemesis bands over [y0, y1] for the faults, x mapped by `x`. */
function drawFaultBands(parent: Element, faults: ReportFault[], colours: Map<string, string>, x: (t: number) => number, y0: number, y1: number): SVGRectElement[] {
  return faults.map((f) => {
    const x0 = x(f.start);
    const r = svg('rect', { class: 'nemesis', x: x0, y: y0, width: Math.max(1, x(f.stop) - x0), height: y1 - y0, fill: colours.get(f.fault) }, parent);
    svg('title', undefined, r).textContent = `${f.fault} ${fmtTime(f.start, 1000)}–${fmtTime(f.stop, 1000)} ${f.value}`;
    return r;
  });
}

function faultLegend(legend: HTMLElement, colours: Map<string, string>): void {
  for (const [fault, colour] of colours) legend.append(legendItem(fault, { shape: 'box', colour, opacity: 0.45 }));
}

/* A chart's left gutter width from its longest tick label. */
function gutterFor(labels: string[]): number {
  return 12 + 6.5 * Math.max(3, ...labels.map((l) => l.length));
}

/* One colour per op function, the same in every chart. */
function fColours(data: ReportData): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of [...data.latency.fs, ...data.throughput.series.map((s) => s.f)]) if (!m.has(f)) m.set(f, PALETTE[m.size % PALETTE.length]);
  return m;
}
