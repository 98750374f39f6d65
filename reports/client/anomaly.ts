/*
 * The anomaly view, after Porcupine's visualiser: the ops on the key around the failure, one lane per process;
 * the longest linearization found drawn as a path through the ops in the order it takes them (each op at the
 * earliest moment it can take effect after the one before); the op no order can take in red, with the reason; the
 * ops concurrent with it outlined. The list beside it gives each step's state before and after.
 */

/* The ops the checker's presentation marks, with why, whichever checker it was. */
function evidenceMarks(data: ReportData): Marks {
  const p = data.checker.presentation;
  const ops = new Map<number, string>();
  for (const m of p.marks) if (!ops.has(m.op)) ops.set(m.op, m.why);
  return { ops, legend: p.markLegend ?? 'named by the checker' };
}

/* The checker section's links to ops: a click shows the op on the timeline, outlined. */
function linkOpsToTimeline(data: ReportData, section: HTMLElement, timeline: TimelineView | undefined): void {
  if (!timeline) return;
  const byIndex = new Map(data.ops.map((o) => [o.i, o]));
  section.addEventListener('click', (e) => {
    const a = e.target instanceof Element ? e.target.closest('a[data-op]') : null;
    const o = a ? byIndex.get(Number(a.getAttribute('data-op'))) : undefined;
    if (!o) return;
    e.preventDefault();
    const end = o.t === 'pending' ? data.durationMs : o.e;
    const pad = Math.max(1, (end - o.s) * 5, data.durationMs * 0.01);
    timeline.setView(o.s - pad, end + pad);
    timeline.highlight(o.i);
    timeline.node.scrollIntoView({ behavior: 'smooth', block: 'start' });
  });
}

/* Every linearization view of the presentation, into the page's one place for them. */
function renderAnomalies(data: ReportData, section: HTMLElement, timeline: TimelineView | undefined): void {
  const body = section.querySelector('.body') as HTMLElement;
  const byIndex = new Map(data.ops.map((o) => [o.i, o]));
  let n = 0;
  for (const b of data.checker.presentation.blocks) {
    if (b.kind !== 'linearization') continue;
    for (const a of b.anomalies) body.append(renderAnomaly(data, a, byIndex, n++, timeline));
  }
}

interface StepInfo {
  n: number;
  before: string;
  after: string;
}

function renderAnomaly(data: ReportData, anomaly: ReportAnomaly, byIndex: ReadonlyMap<number, ReportOp>, n: number, timeline: TimelineView | undefined): HTMLElement {
  // The presentation names its ops by index; the report keeps every one of them on the timeline.
  const a = { ...anomaly, ops: anomaly.ops.map((i) => byIndex.get(i)).filter((o): o is ReportOp => o !== undefined) };
  const sec = el('section', 'anomaly');
  sec.dataset.key = a.key ?? '';
  sec.id = `anomaly-${n + 1}`;
  const byId = new Map(a.ops.map((o) => [o.i, o]));
  const failing = byId.get(a.failing);
  const label = (i: number) => a.text[i] ?? (byId.has(i) ? `${byId.get(i)!.f} ${byId.get(i)!.v}` : `op ${i}`);
  const proc = (o: ReportOp | undefined) => (o ? String(data.processes[o.p] ?? o.p) : '?');

  sec.append(el('h3', undefined, a.key !== undefined ? `Key ${a.key}` : 'The history'));
  const first = a.candidates[0];
  sec.append(
    el(
      'p',
      'reason',
      `${label(a.failing)} (index ${a.failing}, process ${proc(failing)}) cannot be linearized${first ? `: ${first.reason}` : ''}.`,
    ),
  );

  const tools = el('div', 'candidates');
  sec.append(tools);
  if (timeline && failing) {
    const show = el('button', undefined, 'Show on the timeline');
    show.type = 'button';
    show.addEventListener('click', () => {
      const lo = Math.min(...a.ops.map((o) => o.s));
      const hi = Math.max(failing.e, ...a.ops.filter((o) => o.t !== 'pending').map((o) => o.e));
      const pad = Math.max(1, (hi - lo) * 0.1);
      timeline.setView(lo - pad, hi + pad);
      timeline.highlight(a.failing);
      timeline.node.scrollIntoView({ behavior: 'smooth', block: 'start' });
    });
    tools.append(show);
  }

  const drawing = el('div', 'drawing');
  sec.append(drawing);
  const legend = el('div', 'legend');
  legend.append(
    legendItem('cannot be linearized', { shape: 'box', colour: '#d7263d' }),
    legendItem('concurrent with it', { shape: 'box', colour: TYPE_COLOURS.ok, border: '1.5px dashed #1d232b' }),
    legendItem('last known good', { shape: 'box', colour: TYPE_COLOURS.ok, border: '2px solid #1f8a4c' }),
    legendItem('linearization order (numbered)', { shape: 'line', colour: '#1d232b' }),
  );
  sec.append(legend);
  const omittedNote = el('p', 'note');
  const list = el('ol', 'linearization');
  sec.append(omittedNote, list);
  const prose = el('div', 'prose', a.prose);
  sec.append(prose);

  /* The drawing's fixed parts. */
  const lanes = [...new Set(a.ops.map((o) => o.p))].sort((x, y) => x - y);
  const laneOf = new Map(lanes.map((p, j) => [p, j]));
  const W = 1000;
  const laneH = 28;
  const gutter = 14 + 6.5 * Math.max(2, ...lanes.map((p) => String(data.processes[p] ?? p).length));
  const top = 6;
  const H = top + lanes.length * laneH + 26;
  let lo = Math.min(...a.ops.map((o) => o.s));
  let hi = Math.max(lo, ...a.ops.map((o) => (o.t === 'pending' ? o.s : o.e)));
  if (hi - lo < 1e-6) hi = lo + 1;
  const span = hi - lo;
  const openEnd = hi + span * 0.08;
  lo -= span * 0.02;
  const right = W - 8;
  const x = (t: number) => gutter + ((Math.min(t, openEnd) - lo) / (openEnd - lo)) * (right - gutter);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `The ops around the failure on ${a.key ?? 'the history'}` }, drawing);
  lanes.forEach((p, j) => {
    if (j % 2 === 0) svg('rect', { class: 'lane-bg', x: 0, y: top + j * laneH, width: W, height: laneH }, root);
    svgText(gutter - 6, top + j * laneH + laneH / 2 + 4, String(data.processes[p] ?? p), { 'text-anchor': 'end' }, root);
  });
  const axis = svg('g', { class: 'axis' }, root);
  for (const t of niceTicks(lo, openEnd, 8)) {
    const tx = x(t);
    if (tx < gutter) continue;
    svg('line', { x1: tx, x2: tx, y1: top, y2: H - 20 }, axis);
    svgText(tx, H - 7, fmtTime(t, openEnd - lo), { 'text-anchor': 'middle' }, axis);
  }
  const concurrent = new Set(a.concurrent);
  const gOf = new Map<number, SVGGElement>();
  const opsG = svg('g', { class: 'ops' }, root);
  let stepOf = new Map<number, StepInfo>();
  for (const o of a.ops) {
    const cls = ['op', o.t];
    if (o.i === a.failing) cls.push('failing');
    else if (concurrent.has(o.i)) cls.push('concurrent');
    if (o.i === a.previousOk) cls.push('previous-ok');
    if (!(o.i in a.text)) cls.push('context');
    const g = svg('g', { class: cls.join(' '), 'data-index': o.i }, opsG);
    if (o.i === a.failing && n === 0) g.id = 'first-error';
    const y = top + (laneOf.get(o.p) ?? 0) * laneH + 4;
    const x0 = x(o.s);
    const w = Math.max(3, x(o.t === 'pending' ? openEnd : o.e) - x0);
    svg('rect', { x: x0, y, width: w, height: laneH - 8, rx: 2 }, g);
    const text = label(o.i);
    const fits = Math.floor((w - 10) / 6);
    if (fits >= 2) svgText(x0 + 7, y + laneH / 2, text.length > fits ? `${text.slice(0, fits - 1)}…` : text, undefined, g);
    gOf.set(o.i, g);
  }
  const linG = svg('g', { class: 'lin' }, root);

  const lit: Element[] = [];
  const light = (i: number | undefined, li?: Element) => {
    for (const e of lit.splice(0)) e.classList.remove('hl');
    const g = i === undefined ? undefined : gOf.get(i);
    if (g) lit.push(g);
    if (li) lit.push(li);
    for (const e of lit) e.classList.add('hl');
  };

  root.addEventListener('mousemove', (e) => {
    const t = e.target instanceof Element ? e.target.closest('.op') : null;
    const i = t ? Number(t.getAttribute('data-index')) : NaN;
    const o = byId.get(i);
    if (!o) return tooltip.hide();
    const extra: [string, string | undefined][] = [];
    const st = stepOf.get(i);
    if (st) extra.push(['step', `${st.n} of the linearization`], ['state', `${st.before} → ${st.after}`]);
    if (i === a.failing) extra.push(['refused', current ? `${current.reason} (state ${current.state})` : undefined]);
    else if (concurrent.has(i)) extra.push(['concurrent', 'with the op that cannot be linearized']);
    if (i === a.previousOk) extra.push(['last good', 'the last op known linearizable']);
    tooltip.show(opHead(o, label(i)), opRows(o, data.processes, extra), e.clientX, e.clientY);
  });
  root.addEventListener('mouseleave', () => tooltip.hide());

  let current: ReportCandidate | undefined;
  const buttons: HTMLButtonElement[] = [];
  const choose = (c: number) => {
    current = a.candidates[c];
    buttons.forEach((b, j) => b.classList.toggle('active', j === c));
    stepOf = drawCandidate(current);
  };

  function drawCandidate(c: ReportCandidate | undefined): Map<number, StepInfo> {
    linG.replaceChildren();
    list.replaceChildren();
    const steps = new Map<number, StepInfo>();
    if (!c) {
      omittedNote.textContent = 'The checker found no linearization to show.';
      return steps;
    }
    omittedNote.textContent = c.omitted > 0 ? `… ${fmtNum(c.omitted)} earlier ${c.omitted === 1 ? 'step' : 'steps'} of the linearization left out.` : 'The longest linearization found, from the start:';
    list.start = c.omitted + 1;
    let prev = -Infinity;
    const pts: string[] = [];
    let before = c.omitted > 0 ? '…' : 'initial';
    c.steps.forEach((s, j) => {
      const o = byId.get(s.op);
      const num = c.omitted + j + 1;
      steps.set(s.op, { n: num, before, after: s.state });
      const li = el('li');
      li.append(document.createTextNode(`${label(s.op)} · process ${proc(o)} `), el('span', 'state', `state ${before} → ${s.state}`));
      li.addEventListener('mouseenter', () => light(s.op, li));
      li.addEventListener('mouseleave', () => light(undefined));
      list.append(li);
      before = s.state;
      if (!o) return;
      const t = Math.max(prev, o.s);
      prev = t;
      const px = x(t);
      const py = top + (laneOf.get(o.p) ?? 0) * laneH + laneH / 2;
      pts.push(`${px.toFixed(1)},${py.toFixed(1)}`);
      svg('circle', { class: 'lin-point', cx: px, cy: py, r: 3.2 }, linG);
      svgText(px - 3, py - 6, String(num), { class: 'lin-num' }, linG);
    });
    if (pts.length > 1) linG.prepend(svg('polyline', { class: 'lin-path', points: pts.join(' ') }));
    const li = el('li', 'failing');
    li.append(document.createTextNode(`✗ ${label(a.failing)} · process ${proc(failing)}: ${c.reason} `), el('span', 'state', `state ${c.state}`));
    li.addEventListener('mouseenter', () => light(a.failing, li));
    li.addEventListener('mouseleave', () => light(undefined));
    list.append(li);
    if (failing) {
      const fx = x(Math.max(prev, failing.s));
      const fy = top + (laneOf.get(failing.p) ?? 0) * laneH + laneH / 2;
      if (pts.length > 0) svg('line', { x1: pts[pts.length - 1].split(',')[0], y1: pts[pts.length - 1].split(',')[1], x2: fx, y2: fy, class: 'fail-x', 'stroke-dasharray': '3 3' }, linG);
      svg('path', { class: 'fail-x', d: `M${fx - 5},${fy - 5}L${fx + 5},${fy + 5}M${fx - 5},${fy + 5}L${fx + 5},${fy - 5}` }, linG);
    }
    return steps;
  }

  if (a.candidates.length > 1) {
    tools.append(el('span', 'note', 'Linearizations:'));
    a.candidates.forEach((c, j) => {
      const b = el('button', undefined, `${j + 1} (${fmtNum(c.omitted + c.steps.length)} steps)`);
      b.type = 'button';
      b.addEventListener('click', () => choose(j));
      buttons.push(b);
      tools.append(b);
    });
  }
  choose(0);
  // On a narrow screen the drawing scrolls sideways: start at its right end, where the failing op is.
  requestAnimationFrame(() => (drawing.scrollLeft = drawing.scrollWidth));
  return sec;
}
