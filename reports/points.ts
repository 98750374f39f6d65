import type { Block } from '../checkers/presentation.js';
import { esc } from './html.js';

type PointsBlock = Extract<Block, { kind: 'points' }>;

/** The series' colours, in order (the report's ok blue, info amber, good green, then greys); a bad series is red. */
const PALETTE = ['#4a90d9', '#f5a524', '#1f8a4c', '#7c8b9a', '#5c6773'];
const BAD = '#d7263d';
const W = 760;
const H = 260;
const M = { left: 64, right: 28, top: 28, bottom: 40 };
const TICKS = 5;

/** A tick's label: integers as themselves, others to what their spacing needs. */
function tickText(v: number, step: number): string {
  if (Number.isInteger(v) && Number.isInteger(step)) return v.toLocaleString('en-US');
  const digits = Math.max(0, Math.min(6, -Math.floor(Math.log10(step))));
  return v.toFixed(digits);
}

/**
 * Up to TICKS evenly spaced values over [lo, hi] (one value when the range is a point); over integers (offsets,
 * ranks) the steps are whole, so that no tick reads "0.5" on an axis where only integers exist.
 */
function ticks(lo: number, hi: number, integral: boolean): { values: number[]; step: number } {
  if (hi === lo) return { values: [lo], step: 1 };
  const raw = (hi - lo) / (TICKS - 1);
  if (!integral) return { values: Array.from({ length: TICKS }, (_, i) => lo + raw * i), step: raw };
  const step = Math.max(1, Math.ceil(raw));
  const values: number[] = [];
  for (let v = lo; v <= hi; v += step) values.push(v);
  return { values, step };
}

/**
 * A points block as an inline SVG, drawn on the server: no script needed, and only presentation attributes (fill,
 * stroke), which the page's Content-Security-Policy allows where a style attribute would be refused. Each series is
 * one colour (red for a bad one), its name in the legend above the plot; the axes carry up to five ticks each and
 * their labels. A points block with no point says so instead.
 */
export function pointsHtml(b: PointsBlock): string {
  const all = b.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const caption = `<figcaption><h3>${esc(b.title)}</h3>${b.caption !== undefined ? `<p class="caption">${esc(b.caption)}</p>` : ''}</figcaption>`;
  if (all.length === 0) return `<figure class="points" data-points="${esc(b.id)}">${caption}<p class="note">No points.</p></figure>`;
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => M.left + (x1 === x0 ? pw / 2 : ((x - x0) / (x1 - x0)) * pw);
  const sy = (y: number) => M.top + ph - (y1 === y0 ? ph / 2 : ((y - y0) / (y1 - y0)) * ph);
  const f = (n: number) => n.toFixed(1);
  const parts: string[] = [`<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(b.title)}">`, `<rect class="frame" x="${M.left}" y="${M.top}" width="${pw}" height="${ph}"/>`];
  const xt = ticks(x0, x1, xs.every(Number.isInteger));
  const yt = ticks(y0, y1, ys.every(Number.isInteger));
  parts.push(`<g class="axis x">`);
  for (const v of xt.values) parts.push(`<line x1="${f(sx(v))}" x2="${f(sx(v))}" y1="${M.top + ph}" y2="${M.top + ph + 4}" stroke="#9aa5b1"/><text x="${f(sx(v))}" y="${M.top + ph + 16}" text-anchor="middle">${esc(tickText(v, xt.step))}</text>`);
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 4}" text-anchor="middle">${esc(b.x.label)}</text></g>`);
  parts.push(`<g class="axis y">`);
  for (const v of yt.values) parts.push(`<line x1="${M.left - 4}" x2="${M.left}" y1="${f(sy(v))}" y2="${f(sy(v))}" stroke="#9aa5b1"/><text x="${M.left - 6}" y="${f(sy(v) + 4)}" text-anchor="end">${esc(tickText(v, yt.step))}</text>`);
  parts.push(`<text transform="translate(12 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(b.y.label)}</text></g>`);
  let lx = M.left;
  b.series.forEach((s, i) => {
    const colour = s.bad ? BAD : PALETTE[i % PALETTE.length];
    parts.push(`<g class="series" data-series="${esc(s.name)}" fill="${colour}" fill-opacity="0.75">`);
    for (const [x, y] of s.points) if (Number.isFinite(x) && Number.isFinite(y)) parts.push(`<circle cx="${f(sx(x))}" cy="${f(sy(y))}" r="2.5"/>`);
    parts.push(`</g>`);
    parts.push(`<circle cx="${lx + 5}" cy="12" r="4" fill="${colour}"/><text x="${lx + 13}" y="16">${esc(`${s.name} (${s.points.length.toLocaleString('en-US')})`)}</text>`);
    lx += 28 + 7 * (s.name.length + String(s.points.length).length);
  });
  parts.push(`</svg>`);
  return `<figure class="points" data-points="${esc(b.id)}">${caption}${parts.join('')}</figure>`;
}
