import { createHash } from 'node:crypto';
import { stringifyExact } from '../checkers/values/json.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { count, seconds, type Block, type ListItem, type Presentation } from '../checkers/presentation.js';
import { pointsHtml } from './points.js';
import type { Figure, ReportData, Verdict } from './model.js';

/**
 * One run's report as a single self-contained HTML file: the data as a JSON block, the page's script and style
 * inline, nothing fetched. A strict Content-Security-Policy allows exactly that script and that style (by hash), so
 * a value in the history can never run as code or load anything, even if the page had a bug that rendered it as
 * markup. The server side renders what must be readable without the script (verdict, config, checker); the
 * script (reports/client/, compiled to dist/browser/) draws the timeline, the charts and the linearization views.
 * Whichever checker judged the run, its section is drawn from its presentation (checkers/presentation.ts): facts,
 * lists whose items link to their ops on the timeline, tables and prose.
 */
export function renderReportHtml(data: ReportData): string {
  const script = clientScript();
  const verdict = verdictOf(data.verdict);
  const p = data.checker.presentation;
  const firstError = hasEvidence(p);
  const body = [
    `<svg class="probe" width="0" height="0" aria-hidden="true"></svg>`,
    `<header id="banner" class="banner v-${verdict.id}">`,
    `<div class="banner-top"><div id="verdict" class="verdict" data-verdict="${verdict.id}"><span class="mark" aria-hidden="true">${verdict.mark}</span> ${verdict.text}</div>`,
    `<h1>${esc(data.title)}</h1></div>`,
    `<p class="summary">${esc(summaryLine(data))}${firstError ? ` <a id="jump-to-error" href="#first-error">Jump to the first error ↓</a>` : ''}</p>`,
    data.verdict === 'unknown' && data.unknownReason !== undefined ? `<p class="unknown-reason">Why unknown: ${esc(data.unknownReason)}</p>` : '',
    firstError && p.first !== undefined ? `<p class="first-anomaly">${esc(p.first)}</p>` : '',
    `<div class="replay-row"><span class="label">Replay</span> <code id="replay"${data.replay === undefined ? ' class="none"' : ''}>${esc(data.replay ?? 'none: not a faultline run')}</code>${data.replay !== undefined ? ` <button type="button" id="copy-replay">Copy</button>` : ''}</div>`,
    countsHtml(data),
    `<details class="config-wrap" open><summary>Test configuration${data.seed !== undefined ? ` · seed ${esc(String(data.seed))}` : ''}</summary>${configHtml(data)}</details>`,
    `</header>`,
    `<noscript><p class="note">The timeline, the charts and the anomaly drawings need JavaScript.</p></noscript>`,
    `<main>`,
    `<section id="timeline"><h2>Timeline</h2><div class="controls"><button type="button" id="timeline-zoom-in" aria-label="Zoom in">+</button><button type="button" id="timeline-zoom-out" aria-label="Zoom out">−</button><button type="button" id="timeline-reset">Reset</button><span class="hint">wheel or pinch to zoom, drag to pan, hover or tap an op</span></div><div class="body"></div></section>`,
    sectionHtml(data.checker.name, p),
    observationsHtml(data),
    `<section id="latency"><h2>Latency</h2><div class="body"></div></section>`,
    `<section id="throughput"><h2>Throughput</h2><div class="body"></div></section>`,
    checkerHtml(data),
    `</main>`,
    `<div id="tooltip" role="tooltip" hidden></div>`,
    `<script type="application/json" id="report-data">${jsonForScript(data)}</script>`,
    `<script>${script}</script>`,
  ];
  return page(data.title, body.filter((s) => s !== '').join('\n'), { script, style: REPORT_CSS });
}

/** The page shell with a CSP that allows exactly the given inline script and style. */
export function page(title: string, body: string, inline: { script?: string; style: string }): string {
  const csp = [
    `default-src 'none'`,
    ...(inline.script !== undefined ? [`script-src '${sha256(inline.script)}'`] : []),
    `style-src '${sha256(inline.style)}'`,
    `img-src data:`,
    `base-uri 'none'`,
    `form-action 'none'`,
  ].join('; ');
  return [
    `<!doctype html>`,
    `<html lang="en">`,
    `<head>`,
    `<meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<meta name="referrer" content="no-referrer">`,
    `<title>${esc(title)}</title>`,
    `<style>${inline.style}</style>`,
    `</head>`,
    `<body>`,
    body,
    `</body>`,
    `</html>`,
    '',
  ].join('\n');
}

/** A CSP source expression for an inline script or style: the hash of its exact text. */
export function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

/** Escapes text for HTML content and double-quoted attribute values. */
export function esc(s: string): string {
  // The line and paragraph separators too: harmless in HTML, but a page should hold none raw (they end lines in a script).
  return s.replace(/[&<>"'\u2028\u2029]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON that can sit inside `<script type="application/json">`: no value can close the tag or open a comment
 * (`<`, `>`, `&` escaped), and U+2028/U+2029 are escaped for old parsers. JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return stringifyExact(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The client script files, in the order they are concatenated (they share one scope; main.ts runs last). */
const CLIENT_FILES = ['dom.js', 'timeline.js', 'charts.js', 'figures.js', 'anomaly.js', 'main.js'];
const CLIENT_DIR = new URL('../browser/reports/client/', import.meta.url);
let cachedScript: string | undefined;

/** The compiled page script (dist/browser/reports/client/*.js, built by reports/client/tsconfig.json), in one scope. */
function clientScript(): string {
  if (cachedScript !== undefined) return cachedScript;
  const parts = CLIENT_FILES.map((f) => {
    const url = new URL(f, CLIENT_DIR);
    try {
      return readFileSync(url, 'utf8');
    } catch (e) {
      throw new Error(`the report's page script ${fileURLToPath(url)} is missing (build it with tsc -p reports/client/tsconfig.json): ${(e as Error).message}`);
    }
  });
  const body = parts.map((p) => p.replace(/^\/\/# sourceMappingURL=.*$/gm, '').trim()).join('\n');
  cachedScript = `(function () {\n'use strict';\n${body}\n})();`;
  return cachedScript;
}

interface VerdictView {
  id: 'valid' | 'invalid' | 'unknown';
  text: string;
  mark: string;
}

function verdictOf(v: Verdict): VerdictView {
  if (v === true) return { id: 'valid', text: 'Valid', mark: '✓' };
  if (v === false) return { id: 'invalid', text: 'Anomaly found', mark: '✗' };
  return { id: 'unknown', text: 'Unknown', mark: '?' };
}

function summaryLine(d: ReportData): string {
  const p = d.checker.presentation;
  const about = p.facts.length > 0 ? `${p.facts[0][0]} ${p.facts[0][1]}` : `checker ${d.checker.name}`;
  return [about, `${num(d.counts.invoke)} ops`, `${seconds(d.durationMs)}`, ...p.findings].join(' · ');
}

/** Whether the presentation names anything wrong: the banner then links to the first of it. */
function hasEvidence(p: Presentation): boolean {
  return p.blocks.some((b) => (b.kind === 'linearization' && b.anomalies.length > 0) || (b.kind === 'list' && b.bad === true && b.total > 0));
}

function countsHtml(d: ReportData): string {
  const c = d.counts;
  const cells = [
    ['invoked', c.invoke, 'all'],
    ['ok', c.ok, 'ok'],
    ['fail', c.fail, 'fail'],
    ['info', c.info, 'info'],
    ['pending', c.pending, 'pending'],
  ] as const;
  const counts = cells.map(([label, n, cls]) => `<div class="count ${cls}"><span class="n">${num(n)}</span><span class="label">${label}</span></div>`).join('');
  let avail = '';
  if (d.availability) {
    const a = d.availability;
    const part = (label: string, x: { ops: number; ok: number; fraction: number | null }) =>
      `<div class="count avail"><span class="n">${x.fraction === null ? '—' : `${(x.fraction * 100).toFixed(1)}%`}</span><span class="label">${label} (${num(x.ok)} of ${num(x.ops)} served)</span></div>`;
    avail = part('available outside faults', a.quiet) + part('available during faults', a.faulty);
  }
  return `<div id="counts" class="counts">${counts}${avail}</div>`;
}

function configHtml(d: ReportData): string {
  const rows: [string, string][] = [];
  if (d.test) for (const [k, v] of Object.entries(d.test)) rows.push([k, compact(v)]);
  else rows.push(['test', 'not a faultline run: a checked history']);
  if (d.seed !== undefined && !(d.test && 'seed' in d.test)) rows.push(['seed', String(d.seed)]);
  return `<table id="config" class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

/**
 * The checker's section, drawn from its presentation. An item's op links go to the timeline (the page's script
 * shows the op there, outlined; without the script the link still reaches the timeline and the index is written).
 * The first item of the first list of what is wrong, or the first linearization view, is the banner's first error.
 */
function sectionHtml(checker: string, p: Presentation): string {
  let first = true;
  const firstId = () => {
    if (!first) return '';
    first = false;
    return ' id="first-error"';
  };
  const link = (op: number, text: string) => `<a href="#timeline" class="op-link" data-op="${op}">${esc(text)}</a>`;
  const item = (it: ListItem, bad: boolean) => {
    const id = bad ? firstId() : '';
    const own = it.links?.find((l) => l.label === undefined);
    const text = own ? link(own.op, it.text) : `<span class="element">${esc(it.text)}</span>`;
    const where = it.where !== undefined ? ` <span class="where">${esc(it.where)}</span>` : '';
    const others = (it.links ?? []).filter((l) => l.label !== undefined).map((l) => ` ${link(l.op, l.label!)}`).join('');
    return `<li${id}>${text}${where}${others}</li>`;
  };
  const block = (b: Block): string => {
    switch (b.kind) {
      case 'facts':
        return `<table class="kv facts">${b.rows.map((r) => `<tr${r.bad ? ' class="v-invalid"' : ''}><th>${esc(r.label)}</th><td>${esc(r.value)}</td><td class="what">${esc(r.what ?? '')}</td></tr>`).join('')}</table>`;
      case 'list': {
        const kind = b.id !== undefined ? ` data-kind="${esc(b.id)}"` : '';
        const more = b.total > b.items.length ? `<p class="note">… and ${num(b.total - b.items.length)} more.</p>` : '';
        const list = b.items.length > 0 ? `<ul class="elements${b.bad ? ' bad' : ''}"${kind}>${b.items.map((it) => item(it, b.bad === true)).join('')}</ul>` : `<p class="note">None.</p>`;
        if (b.collapsed) return `<details class="list"${kind}><summary>${esc(b.title)}</summary>${list}${more}</details>`;
        return `<h3>${esc(b.title)}${b.total > b.items.length || b.id !== undefined ? ` (${num(b.total)})` : ''}</h3>${list}${more}`;
      }
      case 'table':
        return `<table class="evidence">${b.title !== undefined ? `<caption>${esc(b.title)}</caption>` : ''}<thead><tr>${b.columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${b.rows
          .map((r) => `<tr${r.verdict !== undefined ? ` class="v-${verdictOf(r.verdict).id}"` : ''}>${r.cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`;
      case 'prose':
        return `<p class="prose">${esc(b.text)}</p>`;
      case 'linearization':
        // Drawn by the page's script (reports/client/anomaly.ts); the prose is here for a page without it.
        return `<div id="anomalies" class="linearization-views"><div class="body"></div><noscript>${b.anomalies.map((a) => `<p class="prose">${esc(a.prose)}</p>`).join('')}</noscript></div>`;
      case 'points':
        return pointsHtml(b);
    }
  };
  return `<section id="checker-${esc(checker)}" class="checker-section" data-checker="${esc(checker)}"><h2>${esc(p.title)}</h2>${p.blocks.map(block).join('')}</section>`;
}

/** A figure's data table shows its values in full; past this many x values only the drawing does (the page stays small). */
const DATA_TABLE_ROWS = 100;

/**
 * "What the target saw": the target's notes, then each figure with its title as a heading and its caption. The page's
 * script draws bars and lines (reports/client/figures.ts) into each figure's body; a table is written here, and a
 * drawn figure's values are also here as a collapsed table (read without the script, or by a screen reader). Every
 * figure is drawn the same way, whichever target gave it.
 */
function observationsHtml(d: ReportData): string {
  const o = d.observations;
  if (o === undefined && d.observationsError === undefined) return '';
  const parts: string[] = [`<section id="observations" class="observations"><h2>What the target saw</h2>`];
  if (d.observationsError !== undefined) parts.push(`<p class="render-error">The stored observations could not be shown: ${esc(d.observationsError)}</p>`);
  if (o?.notes !== undefined && o.notes.length > 0) parts.push(`<ul class="notes">${o.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  for (const f of o?.figures ?? []) {
    const id = `figure-${f.id}`;
    const head = `<figcaption><h3 id="${id}-title">${esc(f.title)}</h3>${f.caption !== undefined ? `<p class="caption">${esc(f.caption)}</p>` : ''}</figcaption>`;
    let content: string;
    if (f.kind === 'table') content = figureTable(f);
    else {
      const data = f.x.values.length <= DATA_TABLE_ROWS ? `<details class="figure-data"><summary>Data</summary>${figureTable(f)}</details>` : '';
      content = `<div class="body"></div>${data}`;
    }
    parts.push(`<figure id="${id}" class="figure" data-figure="${esc(f.id)}" data-kind="${f.kind}" aria-labelledby="${id}-title">${head}${content}</figure>`);
  }
  parts.push(`</section>`);
  return parts.join('');
}

/** A figure's values as a table: a row per x value, a column per series (— where a series has none). */
function figureTable(f: Figure): string {
  const cell = (v: string | number | null) => (v === null ? '—' : typeof v === 'number' ? num(v) : v);
  const head = `<thead><tr><th>${esc(f.x.label)}</th>${f.series.map((s) => `<th>${esc(s.name)}</th>`).join('')}</tr></thead>`;
  const rows = f.x.values.map((x, i) => `<tr><th>${esc(cell(x))}</th>${f.series.map((s) => `<td>${esc(cell(s.values[i] ?? null))}</td>`).join('')}</tr>`);
  return `<table class="evidence figure-table">${head}<tbody>${rows.join('')}</tbody></table>`;
}

/** The checker that judged the run: its name and facts, the verdict, how many ops and how long. */
function checkerHtml(d: ReportData): string {
  const c = d.checker;
  const v = verdictOf(c.valid);
  const rows: [string, string, string?][] = [['checker', c.name], ...c.presentation.facts.map(([k, x]): [string, string] => [k, x]), ['verdict', v.text, `v-${v.id}`], ['ops', num(c.ops)], ['time', millis(c.ms)]];
  return `<section id="checkers"><h2>Checker</h2><table class="kv checker">${rows.map(([k, x, cls]) => `<tr><th>${esc(k)}</th><td${cls ? ` class="${cls}"` : ''}>${esc(x)}</td></tr>`).join('')}</table></section>`;
}

/** A config value in one short line. */
function compact(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > 300 ? `${s.slice(0, 299)}…` : s;
}

export const num = count;


function millis(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

const REPORT_CSS = `
:root{--ok:#4a90d9;--fail:#f09ac0;--info:#f5a524;--pending:#b5b5b5;--bad:#d7263d;--good:#1f8a4c;--unk:#b7791f;--fg:#1d232b;--muted:#5c6773;--line:#d9dee4;--bg:#fff;--panel:#f6f8fa}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
.probe{position:absolute}
h1{font-size:1.25rem;margin:0;font-weight:600;word-break:break-word}
h2{font-size:1.1rem;margin:0 0 .5rem}
h3{font-size:1rem;margin:.25rem 0 .5rem}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.85em}
main,.banner{max-width:1400px;margin:0 auto;padding:.75rem 1rem}
section{margin:1rem 0 1.75rem}
.banner{border-left:6px solid var(--unk);background:var(--panel);margin-top:.5rem}
.banner.v-valid{border-color:var(--good)}.banner.v-invalid{border-color:var(--bad)}
.banner-top{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem 1rem}
.verdict{font-size:1.5rem;font-weight:700}
.verdict[data-verdict=valid]{color:var(--good)}.verdict[data-verdict=invalid]{color:var(--bad)}.verdict[data-verdict=unknown]{color:var(--unk)}
.summary,.first-anomaly,.unknown-reason{margin:.35rem 0}
.first-anomaly{color:var(--bad);font-weight:500}
#jump-to-error{font-weight:600;color:var(--bad);white-space:nowrap}
.replay-row{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.5rem 0}
.replay-row .label{color:var(--muted)}
#replay{background:#fff;border:1px solid var(--line);padding:.2rem .4rem;border-radius:4px;word-break:break-all;user-select:all}
#replay.none{color:var(--muted)}
button{font:inherit;font-size:.85rem;padding:.25rem .6rem;border:1px solid #b8c0ca;border-radius:4px;background:#fff;color:var(--fg);cursor:pointer;min-height:2rem}
button:hover{background:#eef2f6}
button.active{background:#1d232b;color:#fff}
.counts{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0}
.count{background:#fff;border:1px solid var(--line);border-radius:4px;padding:.25rem .6rem;display:flex;flex-direction:column;min-width:4.5rem}
.count .n{font-weight:600;font-variant-numeric:tabular-nums}
.count .label{font-size:.75rem;color:var(--muted)}
.count.ok{border-top:3px solid var(--ok)}.count.fail{border-top:3px solid var(--fail)}.count.info{border-top:3px solid var(--info)}.count.pending{border-top:3px solid var(--pending)}.count.avail{border-top:3px solid #7c8b9a}
details summary{cursor:pointer;color:var(--muted)}
table.kv{border-collapse:collapse;margin:.35rem 0;font-size:.85rem}
table.kv th{text-align:left;font-weight:500;color:var(--muted);padding:.1rem .8rem .1rem 0;vertical-align:top;white-space:nowrap}
table.kv td{padding:.1rem 0;word-break:break-word;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
table.evidence{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}
table.evidence th,table.evidence td{border-bottom:1px solid var(--line);padding:.2rem .6rem .2rem 0;text-align:left}
table.evidence caption{text-align:left;font-weight:600;padding:.2rem 0}
td.v-valid,tr.v-valid td:nth-child(2){color:var(--good)}td.v-invalid,tr.v-invalid td:nth-child(2){color:var(--bad);font-weight:600}td.v-unknown,tr.v-unknown td:nth-child(2){color:var(--unk)}
.checker-section details.list{margin:.5rem 0}
.note{color:var(--muted);font-size:.85rem;margin:.25rem 0}
.controls{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin-bottom:.4rem}
.hint{font-size:.75rem;color:var(--muted)}
.plot{width:100%;overflow:hidden;border:1px solid var(--line);border-radius:4px;background:#fff}
.plot svg{display:block}
.chart svg{width:100%;height:auto;display:block}
.tl-scroll{max-height:75vh;overflow-y:auto;overflow-x:hidden}
#timeline svg{touch-action:pan-y;cursor:grab;user-select:none;-webkit-user-select:none}
#timeline svg.dragging{cursor:grabbing}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:11px;fill:#37414b}
svg .axis line,svg .grid line{stroke:#e3e7ec}
svg .axis path,svg .frame{stroke:#9aa5b1;fill:none}
svg .lane-bg{fill:#f7f9fb}
.op.ok rect,rect.op.ok{fill:var(--ok)}.op.fail rect,rect.op.fail{fill:var(--fail)}.op.info rect,rect.op.info{fill:var(--info)}.op.pending rect,rect.op.pending{fill:var(--pending)}
.view *{vector-effect:non-scaling-stroke}
rect.op.anomalous{stroke:var(--bad);stroke-width:2}
.op:hover rect,rect.op:hover,.op.hl rect,rect.op.hl{stroke:#1d232b;stroke-width:1.5}
.nemesis{opacity:.22}
.nemesis-label{font-size:10px}
.err-marker{stroke:var(--bad);stroke-width:1.5;stroke-dasharray:4 3}
.anomaly{border:1px solid var(--line);border-left:5px solid var(--bad);border-radius:4px;padding:.6rem .8rem;margin:0 0 1.25rem;background:#fff}
.anomaly .reason{color:var(--bad);font-weight:600;margin:.25rem 0 .5rem}
#first-error,.anomaly{scroll-margin-top:5rem}
.anomaly .drawing{overflow-x:auto;border:1px solid var(--line);border-radius:4px}
.anomaly .drawing svg{min-width:640px;width:100%;height:auto;display:block}
.anomaly g.op text{font-size:10.5px;fill:#0f151b;pointer-events:none}
.anomaly g.op.failing rect{fill:var(--bad);stroke:#7a0d1b;stroke-width:2}
.anomaly g.op.failing text{fill:#fff;font-weight:600}
.anomaly g.op.concurrent rect{stroke:#1d232b;stroke-dasharray:3 2;stroke-width:1.2}
.anomaly g.op.previous-ok rect{stroke:var(--good);stroke-width:2}
.anomaly g.op.context{opacity:.55}
.lin-path{fill:none;stroke:#1d232b;stroke-width:1.2}
.lin-point{fill:#1d232b}
.lin-num{font-size:9.5px;font-weight:700;fill:#1d232b;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.fail-x{stroke:var(--bad);stroke-width:2.5}
.candidates{display:flex;flex-wrap:wrap;gap:.3rem;align-items:center;margin:.5rem 0}
ol.linearization{font-size:.85rem;padding-left:2.2rem;margin:.4rem 0}
ol.linearization li{padding:.1rem .25rem;border-radius:3px;cursor:default}
ol.linearization li:hover,ol.linearization li.hl{background:#eef2f6}
ol.linearization li.omitted{list-style:none;color:var(--muted)}
ol.linearization li.failing{color:var(--bad);font-weight:600}
ol.linearization .state{color:var(--muted)}
.prose{white-space:pre-wrap;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.8rem;background:var(--panel);border-radius:4px;padding:.5rem .75rem;overflow-x:auto;margin:.5rem 0 0}
.legend{display:flex;flex-wrap:wrap;gap:.3rem .9rem;font-size:.8rem;color:var(--muted);margin:.35rem 0}
.legend .item{display:inline-flex;align-items:center;gap:.3rem}
.swatch{display:inline-block;width:14px;height:9px;border-radius:1px}.swatch.dot,.swatch.ring{width:9px;height:9px;border-radius:50%}.swatch.line{height:0;width:18px;border-radius:0}
.sampled{font-size:.8rem;color:var(--unk);margin:.25rem 0}
.render-error{color:var(--bad)}
table.facts td.what{font-family:inherit;color:var(--muted);padding-left:.8rem}
table.facts tr.v-invalid th,table.facts tr.v-invalid td{color:var(--bad);font-weight:600}
ul.elements{columns:16rem;margin:.4rem 0;padding-left:1.2rem;font-size:.85rem}
ul.elements li{break-inside:avoid}
ul.elements.bad a{color:var(--bad);font-weight:600}
ul.elements .where{color:var(--muted)}
section.observations ul.notes{margin:.25rem 0 .75rem;padding-left:1.2rem;font-size:.9rem}
figure.figure{margin:0 0 1.5rem}
figure.figure figcaption h3{margin:.25rem 0 .15rem}
figure.figure .caption{color:var(--muted);font-size:.85rem;margin:0 0 .4rem}
table.figure-table th{font-weight:500}
table.figure-table td{font-variant-numeric:tabular-nums}
.figure-data{margin:.35rem 0}
figure.points{margin:.5rem 0 1.25rem}
figure.points svg{width:100%;max-width:760px;height:auto;display:block;border:1px solid var(--line);border-radius:4px;background:#fff}
svg .mark-line{stroke:#1d232b;stroke-width:1.2;stroke-dasharray:6 4}
svg .span-label{font-size:10px}
section.checker-section>.prose{font-family:inherit;font-size:.85rem}
#tooltip{position:fixed;z-index:10;max-width:min(26rem,92vw);background:#1d232b;color:#f3f5f7;border-radius:5px;padding:.45rem .6rem;font-size:.78rem;line-height:1.35;pointer-events:none;box-shadow:0 2px 10px rgba(0,0,0,.25)}
#tooltip[hidden]{display:none}
#tooltip .t-head{font-weight:700;margin-bottom:.2rem}
#tooltip .t-row{display:flex;gap:.5rem}
#tooltip .t-k{color:#aab4be;min-width:4.8rem}
#tooltip .t-v{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all}
@media (max-width:640px){body{font-size:14px}main,.banner{padding:.5rem .6rem}.verdict{font-size:1.25rem}.hint{display:none}}
`.trim();
