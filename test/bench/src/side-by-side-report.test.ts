import { describe, expect, it } from 'vitest';
import { columnsFromResults, figure, formatSpread, latencyChart, lineChartSvg, percentile, ratio, rssChart, sideBySideTable, spread, ticks, type EngineColumn, type EngineRun } from './side-by-side-report.ts';

const MiB = 1024 * 1024;

function run(overrides: { lastWebhookMs?: number; cpu?: number; nats?: number; rss?: number; p99?: number; behind?: number; duplicated?: number; raw?: number; drained?: number } = {}): EngineRun {
  return {
    burst: { pods: 1000, lastWebhookMs: overrides.lastWebhookMs ?? 4000, cpuMsPerNotification: overrides.cpu ?? 1.2, natsCpuMsPerNotification: overrides.nats, rawPublish: overrides.raw === undefined ? undefined : { perSecond: overrides.raw, bytes: 1500, count: 20_000 } },
    rates: [
      { rate: 50, seconds: 10, p50Ms: 4, p99Ms: 20, behind: 0, count: 500 },
      { rate: 100, seconds: 10, p50Ms: 5, p99Ms: overrides.p99 ?? 40, behind: overrides.behind ?? 0, count: 1000 },
    ],
    rss: [
      { watched: 50, rss: (overrides.rss ?? 48) * MiB, natsRss: overrides.nats === undefined ? undefined : 30 * MiB },
      { watched: 1000, rss: ((overrides.rss ?? 48) + 20) * MiB, natsRss: overrides.nats === undefined ? undefined : 35 * MiB },
    ],
    startup: { pods: 10_000, syncedMs: 1100, idleMs: 2400, cpuSeconds: 1.3, ...(overrides.drained === undefined ? {} : { drainedMs: overrides.drained }) },
    delivery: { expected: 2500, missing: 0, duplicated: overrides.duplicated ?? 0, unexpected: 0 },
  };
}

describe('percentile', () => {
  it('is the nearest-rank value of an ascending list', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('lands on an undelivered notification (Infinity) when more than 1 % were not delivered', () => {
    const values = [...Array.from({ length: 97 }, () => 5), Infinity, Infinity, Infinity];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 99)).toBe(Infinity);
  });
});

describe('spread and its formatting', () => {
  it('is the median (a measured value) with min and max', () => {
    expect(spread([9.3, 18.9, 7.6])).toEqual({ median: 9.3, min: 7.6, max: 18.9, n: 3 });
    expect(spread([4, 1, 3, 2]).median).toBe(2);
  });

  it('prints the range only when there was more than one run', () => {
    expect(formatSpread(spread([9300, 7600, 18_900]), 's', 1000)).toBe('9.3 s [7.6–18.9]');
    expect(formatSpread(spread([3500]), 's', 1000)).toBe('3.5 s');
    expect(figure(1234.4)).toBe('1,234');
    expect(figure(0.456)).toBe('0.46');
    expect(figure(Infinity)).toBe('∞');
  });

  it('ratios are Herald over the other, and none when one fell behind', () => {
    expect(ratio(spread([98]), spread([196]))).toBe('×0.50');
    expect(ratio(spread([12]), spread([2.4]))).toBe('×5.0');
    expect(ratio(spread([Infinity]), spread([40]))).toBe('—');
  });
});

describe('sideBySideTable', () => {
  const columns: EngineColumn[] = [
    { label: 'Herald, defaults', runs: [run({ lastWebhookMs: 9000, cpu: 6.8, nats: 2.4, rss: 200, raw: 10_000 }), run({ lastWebhookMs: 8000, cpu: 7, nats: 2.5, rss: 210, raw: 12_500 }), run({ lastWebhookMs: 20_000, cpu: 7.2, nats: 2.6, rss: 205, raw: 10_000 })] },
    { label: 'Go engine, seed QPS 5', runs: [run({ lastWebhookMs: 180_000, cpu: 2.4, p99: Infinity, behind: 700 })] },
    { label: 'Go engine, QPS 500', runs: [run({ lastWebhookMs: 3500 })] },
  ];
  const table = sideBySideTable(columns);
  const row = (start: string) => table.split('\n').find((l) => l.startsWith(`| ${start}`))!.split(' | ');

  it('has a column per engine setting and a ratio column per Go setting', () => {
    expect(table.split('\n')[0]).toBe('|  | Herald, defaults (3 runs) | Go engine, seed QPS 5 (1 run) | Go engine, QPS 500 (1 run) | Herald ÷ Go engine, seed QPS 5 | Herald ÷ Go engine, QPS 500 |');
  });

  it('prints the burst as the median [min–max] with its rate, and Herald over each Go setting', () => {
    expect(row('1,000 Pods')).toEqual(['| 1,000 Pods → Running at once: until the last webhook', '9 s [8–20] (111/s)', '180 s (5.6/s)', '3.5 s (286/s)', '×0.05', '×2.6 |']);
  });

  it('sets the last webhook against the last status PATCH answered, for the runs that measured it', () => {
    const burst = (lastWebhookMs: number, lastPatchMs?: number) => {
      const r = run({ lastWebhookMs });
      return { ...r, burst: { ...r.burst, ...(lastPatchMs === undefined ? {} : { lastPatchMs }) } };
    };
    const table = sideBySideTable([
      { label: 'Herald', runs: [burst(4400, 4200), burst(5100, 5000), burst(9000)] },
      { label: 'Go', runs: [burst(4000, 3800)] },
    ]);
    const after = table.split('\n').find((l) => l.includes('after the last status PATCH'))!.split(' | ');
    // The run without the figure is left out; of two, the median is the lower (a measured value).
    expect(after.slice(1)).toEqual(['100 ms [100–200] (4.2 s [4.2–5])', '200 ms (3.8 s)', '×0.50 |']);
    expect(sideBySideTable(columns)).not.toContain('after the last status PATCH');
  });

  it('prints the CPU of the last warm burst of each run that had one, nats-server added, and says which setting ran none', () => {
    const warmed = (cpu: number, warm: { cpu: number; nats?: number }[]) => {
      const r = run({ cpu });
      return { ...r, burst: { ...r.burst, warm: warm.map((w) => ({ lastWebhookMs: 4000, cpuMsPerNotification: w.cpu, ...(w.nats === undefined ? {} : { natsCpuMsPerNotification: w.nats }) })) } };
    };
    const table = sideBySideTable([
      { label: 'Herald', runs: [warmed(2.1, [{ cpu: 1.9, nats: 0.8 }, { cpu: 1.5, nats: 0.7 }]), warmed(2.2, [{ cpu: 1.7, nats: 0.8 }]), run({ cpu: 2.3 })] },
      { label: 'Go, seed', runs: [run({ cpu: 2.4 })] },
      { label: 'Go', runs: [warmed(1.0, [{ cpu: 0.9 }])] },
    ]);
    const warm = table.split('\n').find((l) => l.includes('CPU per notification, warm'))!.split(' | ');
    // Herald: the last warm burst of each of the two runs that had one (1.5 + 0.7 and 1.7 + 0.8); ÷ the Go engine's 0.9.
    expect(warm.slice(1)).toEqual(['1.5 ms [1.5–1.7] + nats 0.7 ms [0.7–0.8]', 'not run', '0.9 ms', '—', '×2.4 |']);
    expect(sideBySideTable(columns)).not.toContain('CPU per notification, warm');
  });

  it('says a setting fell behind instead of printing a latency', () => {
    expect(row('100 changes/s')).toEqual(['| 100 changes/s for 10 s: latency patch → webhook, p50 / p99', '5 ms / 40 ms', 'falls behind (700 of 1,000 undelivered after the drain)', '5 ms / 40 ms', '—', '×1.0 |']);
  });

  it('adds nats-server to Herald’s CPU and memory', () => {
    expect(row('CPU per notification')[1]).toBe('7 ms [6.8–7.2] + nats 2.5 ms [2.4–2.6]');
    expect(row('CPU per notification')[4]).toBe('×4.0');
    expect(row('RSS steady, 1,000')[1]).toBe('225 MiB [220–230] (+ nats-server 35)');
  });

  it('sets the burst’s notifications/s against the raw JetStream publish rate of the same run, for engines on a bus only', () => {
    // 1,000 / 9 s = 111/s of 10,000/s; 125/s of 12,500/s; 50/s of 10,000/s: ratios 0.0111, 0.01, 0.005.
    expect(row('Burst notifications/s')).toEqual(['| Burst notifications/s ÷ raw JetStream publish rate of same-size messages (same run)', '0.010 (111/s of 10,000/s)', 'no bus', 'no bus', '—', '— |']);
  });

  it('sets the pipeline’s notifications/s at saturation against the raw publish rate, with its CPU, only where it was measured', () => {
    const saturated = (lastWebhookMs: number, raw: number): EngineRun => {
      const r = run({ raw, cpu: 7, nats: 2.5 });
      r.burst.saturation = { events: 2000, publishMs: 150, lastWebhookMs, cpuMsPerNotification: 2, natsCpuMsPerNotification: 0.5 };
      return r;
    };
    // 2,000 / 5 s = 400/s of 20,000/s (0.02); 2,000 / 4 s = 500/s (0.025); the median of two is the lower, a
    // measured value. A run without the phase counts for neither.
    const table = sideBySideTable([{ label: 'Herald', runs: [saturated(5000, 20_000), saturated(4000, 20_000), run({ raw: 20_000 })] }, { label: 'Go', runs: [run()] }]);
    const rowOf = (start: string) => table.split('\n').find((l) => l.startsWith(start))!.split(' | ');
    expect(rowOf('| Pipeline at saturation')).toEqual(['| Pipeline at saturation (2,000 events published onto the bus at once): notifications/s ÷ raw JetStream publish rate (same run)', '0.020 (400/s of 20,000/s)', 'no bus', '— |']);
    expect(rowOf('| CPU per notification at saturation').slice(1, 3)).toEqual(['2 ms + nats 0.5 ms', 'no bus']);
    expect(sideBySideTable([{ label: 'Herald', runs: [run({ raw: 20_000 })] }])).not.toContain('saturation');
  });

  it('says when Herald’s bus drained during the start-up, and nothing of the kind for an engine without a bus', () => {
    const table = sideBySideTable([{ label: 'Herald', runs: [run({ drained: 1900 }), run({ drained: 1700 }), run({ drained: 2100 })] }, { label: 'Go', runs: [run()] }]);
    const startup = table.split('\n').find((l) => l.startsWith('| start'))!.split(' | ');
    expect(startup.slice(1, 3)).toEqual(['1.1 s → 2.4 s (bus drained at 1.9 s [1.7–2.1]), 1.3 CPU-s', '1.1 s → 2.4 s, 1.3 CPU-s']);
  });

  it('reports exactly-once per setting, and a duplicate as a failure', () => {
    expect(row('every Pod')[1]).toBe('yes (7,500 of 7,500)');
    const bad = sideBySideTable([{ label: 'Herald', runs: [run({ duplicated: 2 })] }]);
    expect(bad).toContain('**no**: 2,500 of 2,500, 2 twice, 0 unexpected');
  });
});

describe('SVG plots', () => {
  it('ticks a log axis at 1, 2, 5 × 10ⁿ and a linear one at round steps', () => {
    expect(ticks(1, 1000, true)).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);
    expect(ticks(0, 300, false)).toEqual([0, 50, 100, 150, 200, 250, 300]);
  });

  it('draws a line per series with a legend, leaving out points that are not finite', () => {
    const svg = lineChartSvg({
      title: 'a < b',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        { name: 'one', color: '#f00', points: [[1, 1], [2, 4], [3, Infinity]] },
        { name: 'two', color: '#00f', dashed: true, points: [[1, 2], [2, 3]] },
      ],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('a &lt; b');
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg.match(/<circle/g)).toHaveLength(4);
    expect(svg).toContain('stroke-dasharray');
    expect(svg).not.toContain('NaN');
  });

  it('plots both engines’ latency percentiles against the rate and RSS against watched Pods', () => {
    const columns: EngineColumn[] = [
      { label: 'Herald', runs: [run({ nats: 2 })] },
      { label: 'Go', runs: [run()] },
    ];
    const latency = latencyChart(columns);
    for (const name of ['Herald p99', 'Herald p50', 'Go p99', 'Go p50']) expect(latency).toContain(`>${name}<`);
    const rss = rssChart(columns);
    for (const name of ['Herald', 'Herald + nats-server', 'Go']) expect(rss).toContain(`>${name}<`);
    expect(rss).not.toContain('NaN');
  });
});

describe('columnsFromResults', () => {
  it('reads the benchmark JSON back in alternation order, a latency that fell behind (null in JSON) as Infinity', () => {
    const saved = JSON.parse(
      JSON.stringify({
        sizes: { seedQps: [5, 10], raisedQps: [500, 1000] },
        runs: [
          { engine: 'go-raised', ...run() },
          { engine: 'herald', ...run({ p99: Infinity, behind: 10 }) },
        ],
      }),
    ) as Parameters<typeof columnsFromResults>[0];
    const columns = columnsFromResults(saved);
    expect(columns.map((c) => c.label)).toEqual(['Herald, defaults', 'Go engine, QPS 500']);
    expect(columns[0]!.runs[0]!.rates[1]!.p99Ms).toBe(Infinity);
    expect(sideBySideTable(columns)).toContain('falls behind (10 of 1,000 undelivered after the drain)');
  });
});
