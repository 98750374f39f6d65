import assert from 'node:assert/strict';
import type { Block } from '../../checkers/presentation.js';
import { renderReportHtml } from '../../reports/html.js';
import { pointsHtml } from '../../reports/points.js';
import { sampleReport } from './sample-data.js';

type PointsBlock = Extract<Block, { kind: 'points' }>;

const block: PointsBlock = {
  kind: 'points',
  id: 'partition-0',
  title: 'Partition 0: offsets <over> time',
  caption: 'y is the "offset"',
  x: { label: 'seconds since the start' },
  y: { label: 'offset' },
  series: [
    { name: 'send (ack)', points: [[0, 0], [1, 1], [2, 2]] },
    { name: 'poll <b>', points: [[1.5, 0], [2.5, 2]] },
  ],
};

describe('reports: a points block', () => {
  it('is drawn on the server as an SVG: a circle per point, a colour and a legend entry per series, both axes labelled', () => {
    const html = pointsHtml(block);
    assert.match(html, /^<figure class="points" data-points="partition-0"><figcaption><h3>Partition 0: offsets &#60;over&#62; time<\/h3><p class="caption">y is the &#34;offset&#34;<\/p><\/figcaption><svg /);
    const series = [...html.matchAll(/<g class="series" data-series="([^"]*)" fill="([^"]*)"[^>]*>(.*?)<\/g>/g)];
    assert.deepEqual(series.map((m) => [m[1], m[2], (m[3].match(/<circle /g) ?? []).length]), [['send (ack)', '#4a90d9', 3], ['poll &#60;b&#62;', '#f5a524', 2]]);
    assert.match(html, />send \(ack\) \(3\)<\/text>/);
    assert.match(html, />seconds since the start<\/text>/);
    assert.match(html, /rotate\(-90\)" text-anchor="middle">offset<\/text>/);
    const yTicks = [...html.matchAll(/<text x="58" y="[^"]*" text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1]);
    assert.deepEqual(yTicks, ['0', '1', '2'], 'offsets are integers: so are their ticks');
    // The extremes land on the frame's edges: x 0 at the left margin, 2.5 at the right (760 - 28); y 0 at the bottom.
    assert.match(html, /<circle cx="64.0" cy="220.0" r="2.5"\/>/);
    assert.match(html, /<circle cx="732.0" cy="28.0" r="2.5"\/>/);
    assert.doesNotMatch(html, /\sstyle=/i, 'no style attribute (the CSP would refuse it)');
  });

  it('draws a bad series in the report’s red', () => {
    const html = pointsHtml({ ...block, series: [{ name: 'lost write (ack)', points: [[1, 1]], bad: true }] });
    assert.match(html, /<g class="series" data-series="lost write \(ack\)" fill="#d7263d"/);
  });

  it('says so when it has no point, and draws a single point in the middle', () => {
    assert.match(pointsHtml({ ...block, series: [{ name: 'poll', points: [] }] }), /<p class="note">No points\.<\/p><\/figure>$/);
    assert.match(pointsHtml({ ...block, series: [{ name: 'poll', points: [[3, 7]] }] }), /<circle cx="398.0" cy="124.0" r="2.5"\/>/);
  });

  it('appears in the checker’s section of the report, under the page’s strict CSP', () => {
    const data = sampleReport();
    data.checker.presentation = { ...data.checker.presentation, blocks: [...data.checker.presentation.blocks, block] };
    const html = renderReportHtml(data);
    const section = /<section id="checker-[^"]*" class="checker-section"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    assert.match(section, /<figure class="points" data-points="partition-0">/);
    assert.doesNotMatch(html, /\sstyle=/i);
  });
});
