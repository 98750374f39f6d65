/* Reads the data block, draws every part (one failing part does not stop the others), then marks the page ready. */

function renderPart(id: string, draw: (section: HTMLElement) => void): void {
  const section = document.getElementById(id);
  if (!section) return;
  const t = performance.now();
  try {
    draw(section);
    performance.measure(`faultline:${id}`, { start: t });
  } catch (e) {
    section.append(el('p', 'render-error', `This part could not be drawn: ${e instanceof Error ? e.message : String(e)}`));
    console.error(e);
  }
}

function main(): void {
  const data = JSON.parse(document.getElementById('report-data')?.textContent ?? 'null') as ReportData;
  const marks = evidenceMarks(data);
  /* Every width read before anything is drawn: one layout, not one per part after thousands of elements. */
  const widthOf = (id: string) => document.querySelector(`#${id} .body`)?.clientWidth ?? 0;
  const widths = { timeline: widthOf('timeline'), latency: widthOf('latency'), throughput: widthOf('throughput'), observations: widthOf('observations') };
  let timeline: TimelineView | undefined;
  renderPart('timeline', (s) => (timeline = renderTimeline(data, s, marks, widths.timeline)));
  renderPart('anomalies', (s) => renderAnomalies(data, s, timeline));
  renderPart(`checker-${data.checker.name}`, (s) => linkOpsToTimeline(data, s, timeline));
  renderPart('observations', (s) => renderObservations(data, s, widths.observations));
  renderPart('latency', (s) => renderLatency(data, s, widths.latency));
  renderPart('throughput', (s) => renderThroughput(data, s, widths.throughput));

  const copy = document.getElementById('copy-replay');
  const replay = document.getElementById('replay');
  if (copy && replay) {
    copy.addEventListener('click', () => {
      const text = replay.textContent ?? '';
      const done = () => (copy.textContent = 'Copied');
      const select = () => {
        const range = document.createRange();
        range.selectNodeContents(replay);
        const sel = window.getSelection();
        sel?.removeAllRanges();
        sel?.addRange(range);
        copy.textContent = 'Selected: press Ctrl+C';
      };
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, select);
      else select();
    });
  }
  window.addEventListener('scroll', () => tooltip.hide(), { passive: true });
  document.addEventListener('pointerdown', (e) => {
    if (e.pointerType !== 'mouse' && !(e.target instanceof Element && e.target.closest('svg'))) tooltip.hide();
  });
  document.documentElement.dataset.ready = 'true';
}

main();
