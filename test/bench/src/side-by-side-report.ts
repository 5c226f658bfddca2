/**
 * The side-by-side benchmark's figures turned into what a reader sees (test/bench/src/e2e-bench.ts): per-engine
 * runs summarised as median [min–max], the issue 19 table with a ratio column per Go engine setting, and the
 * two SVG plots. Pure functions, no I/O, so that a unit test can check them.
 */
import type { NatsTraffic } from './nats-traffic.ts';

/** What one run of one engine measured; times in ms, memory in bytes, CPU in ms. */
export interface EngineRun {
  burst: {
    pods: number;
    lastWebhookMs: number;
    /**
     * When the last of the burst's status PATCHes was answered (100 at a time): the apiserver's part. The last
     * webhook cannot come much before it, whatever the engine. Runs before this figure was kept do not have it.
     */
    lastPatchMs?: number;
    cpuMsPerNotification: number;
    natsCpuMsPerNotification?: number;
    nats?: NatsTraffic;
    /** Messages/s one pipelined publisher gets on the same nats-server, messages the size of the events (engines on a bus). */
    rawPublish?: { perSecond: number; bytes: number; count: number };
    /**
     * The same burst again on fresh Pods, in the same process, after the first: its code compiled and optimised
     * by then, as in a process that has been running a while. Runs before this figure was kept do not have it.
     */
    warm?: { lastWebhookMs: number; lastPatchMs?: number; cpuMsPerNotification: number; natsCpuMsPerNotification?: number; heraldMessages?: number }[];
    /**
     * Herald: `events` Running events of fresh Pods published straight onto its bus at once (`publishMs` to store
     * them all), the last webhook `lastWebhookMs` after the first publish: the pipeline's own rate, without the
     * apiserver's pace. Runs before this figure was kept do not have it.
     */
    saturation?: { events: number; publishMs: number; lastWebhookMs: number; cpuMsPerNotification: number; natsCpuMsPerNotification?: number };
  };
  rates: RateRun[];
  /** RSS at rest (BENCH_RSS_SETTLE_SECONDS after going idle), when it went idle, and the highest so far (VmHWM, `peak`: what a memory limit has to allow). */
  rss: { watched: number; rss: number; rssAtIdle?: number; peak?: number; natsRss?: number }[];
  /** `drainedMs`: Herald's bus drained (every event evaluated, what it caused delivered); before it went idle. `peak`: the new process's highest RSS until idle (VmHWM). */
  startup: { pods: number; syncedMs: number; idleMs: number; cpuSeconds: number; drainedMs?: number; peak?: number };
  delivery: { expected: number; missing: number; duplicated: number; unexpected: number };
}

/**
 * One rate: latencies of every Pod, an undelivered one as Infinity once the drain ended (so a percentile that
 * lands on it says "fell behind" rather than a figure flattered by leaving the slow ones out).
 */
export interface RateRun {
  rate: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  /** Notifications not delivered when the drain after the last patch ended. */
  behind: number;
  count: number;
  /**
   * The apiserver's part: from sending each status PATCH to its answer (written to etcd; the watch event
   * goes out from there), p50 / p99. The same request for every engine (not the same time: the engine shares
   * the machine), and inside the latency above.
   */
  patchP50Ms?: number;
  patchP99Ms?: number;
  /**
   * The engine's part: from the PATCH's answer to the webhook, per Pod, p50 / p99 (the watch event's trip
   * included; below zero when the webhook came before the answer reached the benchmark).
   */
  afterPatchP50Ms?: number;
  afterPatchP99Ms?: number;
}

export interface EngineColumn {
  label: string;
  runs: EngineRun[];
}

export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** The value at percentile `p` of ascending `sorted` (nearest rank); Infinity entries count as the slowest. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** Median (the lower middle one for an even count: a value that was measured) with min and max. */
export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)]!, min: sorted[0]!, max: sorted.at(-1)!, n: sorted.length };
}

/** A figure as the table prints it: 1234 → "1,234", 98.2 → "98", 3.46 → "3.5", 0.456 → "0.46". */
export function figure(value: number): string {
  if (!Number.isFinite(value)) return '∞';
  const abs = Math.abs(value);
  const decimals = abs >= 100 ? 0 : abs >= 1 ? 1 : 2;
  return value.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: decimals });
}

/** "9.3 s [7.6–18.9]": the median, and the range when there was more than one run. */
export function formatSpread(s: Spread, unit = '', scale = 1): string {
  const v = (x: number) => figure(x / scale);
  const head = `${v(s.median)}${unit ? ` ${unit}` : ''}`;
  return s.n > 1 && s.min !== s.max ? `${head} [${v(s.min)}–${v(s.max)}]` : head;
}

/** Herald's median over the other's: "×0.50" means Herald takes half as long (or half the memory). */
export function ratio(herald: Spread, other: Spread): string {
  if (!Number.isFinite(herald.median) || !Number.isFinite(other.median) || other.median === 0) return '—';
  const r = herald.median / other.median;
  return `×${r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2)}`;
}

interface Row {
  label: string;
  /** The figure of one run that the spread and the ratio are about; undefined: not measured in that run. */
  values: (run: EngineRun) => number | undefined;
  cell: (s: Spread, runs: EngineRun[]) => string;
  /** The cell of a setting that never measures this row; "not run" when not given. */
  absent?: string;
}

/**
 * The issue's table: one column per engine setting (the first is Herald), then Herald ÷ each other column.
 * Rows: burst, each rate's p50 / p99, CPU per notification, RSS at each watched count, start-up, exactly once.
 */
export function sideBySideTable(columns: readonly EngineColumn[]): string {
  const [herald, ...others] = columns;
  if (!herald) return '';
  const all = columns.flatMap((c) => c.runs);
  const first = all[0];
  if (!first) return '';
  const rows: Row[] = [];
  rows.push({
    label: `${figure(first.burst.pods)} Pods → Running at once: until the last webhook`,
    values: (r) => r.burst.lastWebhookMs,
    cell: (s, runs) => `${formatSpread(s, 's', 1000)} (${figure(runs[0]!.burst.pods / (s.median / 1000))}/s)`,
  });
  if (all.some((r) => r.burst.lastPatchMs !== undefined)) {
    // The row above is mostly the apiserver answering the burst's PATCHes; this one is the engine's part.
    rows.push({
      label: `${figure(first.burst.pods)} Pods → Running: the last webhook after the last status PATCH answered (PATCHes answered at)`,
      values: (r) => (r.burst.lastPatchMs === undefined ? undefined : r.burst.lastWebhookMs - r.burst.lastPatchMs),
      cell: (s, runs) => `${formatSpread(s, 'ms')} (${formatSpread(spread(runs.map((r) => r.burst.lastPatchMs!)), 's', 1000)})`,
    });
  }
  const rates = [...new Set(all.flatMap((r) => r.rates.map((x) => x.rate)))].sort((a, b) => a - b);
  for (const rate of rates) {
    const seconds = all.flatMap((r) => r.rates).find((x) => x.rate === rate)!.seconds;
    const of = (r: EngineRun) => r.rates.find((x) => x.rate === rate);
    rows.push({
      label: `${figure(rate)} changes/s for ${figure(seconds)} s: latency patch → webhook, p50 / p99`,
      values: (r) => of(r)?.p99Ms,
      cell: (p99, runs) => {
        const measured = runs.map(of).filter((x) => x !== undefined);
        const p50 = spread(measured.map((x) => x.p50Ms));
        if (!Number.isFinite(p99.median)) {
          const behind = spread(measured.map((x) => x.behind));
          return `falls behind (${figure(behind.median)} of ${figure(measured[0]!.count)} undelivered after the drain)`;
        }
        return `${formatSpread(p50, 'ms')} / ${formatSpread(p99, 'ms')}`;
      },
    });
  }
  // A burst's CPU per notification: the total (engine + nats-server) for the ratio, and each part's spread.
  type Cpu = { cpuMsPerNotification: number; natsCpuMsPerNotification?: number };
  const cpuRow = (label: string, of: (r: EngineRun) => Cpu | undefined): Row => ({
    label,
    values: (r) => {
      const c = of(r);
      return c ? c.cpuMsPerNotification + (c.natsCpuMsPerNotification ?? 0) : undefined;
    },
    cell: (_total, runs) => {
      const measured = runs.flatMap((r) => of(r) ?? []);
      const engine = formatSpread(spread(measured.map((c) => c.cpuMsPerNotification)), 'ms');
      const nats = measured.flatMap((c) => (c.natsCpuMsPerNotification === undefined ? [] : [c.natsCpuMsPerNotification]));
      return nats.length ? `${engine} + nats ${formatSpread(spread(nats), 'ms')}` : engine;
    },
  });
  rows.push(cpuRow('CPU per notification (burst)', (r) => r.burst));
  const warm = (r: EngineRun) => r.burst.warm?.at(-1);
  if (all.some((r) => warm(r))) rows.push(cpuRow('CPU per notification, warm (the burst again on fresh Pods, the same process)', warm));
  if (all.some((r) => r.burst.rawPublish)) {
    const throughput = (r: EngineRun) => r.burst.pods / (r.burst.lastWebhookMs / 1000);
    rows.push({
      label: 'Burst notifications/s ÷ raw JetStream publish rate of same-size messages (same run)',
      values: (r) => (r.burst.rawPublish ? throughput(r) / r.burst.rawPublish.perSecond : undefined),
      cell: (s, runs) => `${s.median.toPrecision(2)} (${figure(spread(runs.map(throughput)).median)}/s of ${figure(spread(runs.map((r) => r.burst.rawPublish!.perSecond)).median)}/s)`,
      absent: 'no bus',
    });
  }
  if (all.some((r) => r.burst.saturation && r.burst.rawPublish)) {
    // The goal's throughput: the pipeline at saturation, not a burst the apiserver paces.
    const rate = (r: EngineRun) => (r.burst.saturation ? r.burst.saturation.events / (r.burst.saturation.lastWebhookMs / 1000) : undefined);
    const measured = (runs: EngineRun[]) => runs.filter((r) => r.burst.saturation && r.burst.rawPublish);
    rows.push({
      label: `Pipeline at saturation (${figure(all.find((r) => r.burst.saturation)!.burst.saturation!.events)} events published onto the bus at once): notifications/s ÷ raw JetStream publish rate (same run)`,
      values: (r) => (r.burst.saturation && r.burst.rawPublish ? rate(r)! / r.burst.rawPublish.perSecond : undefined),
      cell: (s, runs) => `${s.median.toPrecision(2)} (${figure(spread(measured(runs).map((r) => rate(r)!)).median)}/s of ${figure(spread(measured(runs).map((r) => r.burst.rawPublish!.perSecond)).median)}/s)`,
      absent: 'no bus',
    });
    rows.push({ ...cpuRow('CPU per notification at saturation', (r) => r.burst.saturation), absent: 'no bus' });
  }
  const watched = [...new Set(all.flatMap((r) => r.rss.map((x) => x.watched)))].sort((a, b) => a - b);
  for (const count of watched) {
    const of = (r: EngineRun) => r.rss.find((x) => x.watched === count);
    rows.push({
      label: `RSS steady, ${figure(count)} Pods watched`,
      values: (r) => of(r)?.rss,
      cell: (s, runs) => {
        const nats = runs.flatMap((r) => of(r)?.natsRss ?? []);
        const mib = 1024 * 1024;
        return `${formatSpread(s, 'MiB', mib)}${nats.length ? ` (+ nats-server ${formatSpread(spread(nats), '', mib)})` : ''}`;
      },
    });
  }
  rows.push({
    label: `start → synced → idle with ${figure(first.startup.pods)} Pods`,
    values: (r) => r.startup.idleMs,
    cell: (idle, runs) => {
      const synced = spread(runs.map((r) => r.startup.syncedMs));
      const cpu = spread(runs.map((r) => r.startup.cpuSeconds));
      // The Go engine at the seed's QPS runs fewer rates, so it restarts with fewer Pods: say so.
      const pods = runs[0]!.startup.pods === first.startup.pods ? '' : ` (${figure(runs[0]!.startup.pods)} Pods)`;
      const drainedRuns = runs.flatMap((r) => r.startup.drainedMs ?? []);
      const drained = drainedRuns.length ? ` (bus drained at ${formatSpread(spread(drainedRuns), 's', 1000)})` : '';
      return `${formatSpread(synced, 's', 1000)} → ${formatSpread(idle, 's', 1000)}${drained}, ${formatSpread(cpu, 'CPU-s')}${pods}`;
    },
  });
  const exactlyOnce = (runs: EngineRun[]) => {
    const sum = (f: (r: EngineRun) => number) => runs.reduce((n, r) => n + f(r), 0);
    const twice = sum((r) => r.delivery.duplicated);
    const extra = sum((r) => r.delivery.unexpected);
    const head = `${figure(sum((r) => r.delivery.expected - r.delivery.missing))} of ${figure(sum((r) => r.delivery.expected))}`;
    return sum((r) => r.delivery.missing) + twice + extra === 0 ? `yes (${head})` : `**no**: ${head}, ${twice} twice, ${extra} unexpected`;
  };

  const header = ['', ...columns.map((c) => `${c.label} (${c.runs.length} run${c.runs.length === 1 ? '' : 's'})`), ...others.map((o) => `Herald ÷ ${o.label}`)];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) {
    const measured = columns.map((c) => c.runs.filter((r) => row.values(r) !== undefined));
    const spreads = measured.map((runs) => (runs.length ? spread(runs.map((r) => row.values(r)!)) : undefined));
    const cells = spreads.map((s, i) => (s ? row.cell(s, measured[i]!) : (row.absent ?? 'not run')));
    const ratios = others.map((_, i) => (spreads[0] && spreads[i + 1] ? ratio(spreads[0], spreads[i + 1]!) : '—'));
    lines.push(`| ${[row.label, ...cells, ...ratios].join(' | ')} |`);
  }
  lines.push(`| ${['every Pod notified exactly once', ...columns.map((c) => exactlyOnce(c.runs)), ...others.map(() => '')].join(' | ')} |`);
  return lines.join('\n');
}

/** The engine settings in the order the benchmark alternates them, with the table's labels. */
export function settingLabels(seedQps: number, raisedQps: number): { key: string; label: string }[] {
  return [
    { key: 'herald', label: 'Herald, defaults' },
    { key: 'go-seed', label: `Go engine, seed QPS ${seedQps}` },
    { key: 'go-raised', label: `Go engine, QPS ${raisedQps}` },
  ];
}

/**
 * The columns back from the benchmark's JSON (`runs`: one entry per run with its `engine` key), for re-drawing
 * the table and plots of a run that was cut short. JSON has no Infinity: a latency that fell behind is null.
 */
export function columnsFromResults(results: { sizes: { seedQps: [number, number]; raisedQps: [number, number] }; runs: ({ engine: string } & EngineRun)[] }): EngineColumn[] {
  const revive = (v: number | null) => v ?? Infinity;
  return settingLabels(results.sizes.seedQps[0], results.sizes.raisedQps[0])
    .map(({ key, label }) => ({
      label,
      runs: results.runs
        .filter((r) => r.engine === key)
        .map((r) => ({ ...r, rates: r.rates.map((x) => ({ ...x, p50Ms: revive(x.p50Ms), p99Ms: revive(x.p99Ms) })) })),
    }))
    .filter((c) => c.runs.length > 0);
}

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
  /** Dashed line (e.g. p50 beside a solid p99 of the same engine). */
  dashed?: boolean;
  color: string;
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  logX?: boolean;
  logY?: boolean;
}

const width = 720;
const height = 420;
const margin = { left: 70, right: 200, top: 40, bottom: 50 };

/** Ticks for an axis: powers of 1, 2, 5 × 10ⁿ on a log axis, about six round steps on a linear one. */
export function ticks(min: number, max: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
      for (const m of [1, 2, 5]) {
        const t = m * 10 ** e;
        if (t >= min * 0.999 && t <= max * 1.001) out.push(t);
      }
    }
    return out;
  }
  const raw = (max - min) / 6 || 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

/** The axis range: from 0 (linear) or the decade below (log) to a round value above every point. */
function range(values: number[], log: boolean): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  const lo = finite.length ? Math.min(...finite) : 1;
  const hi = finite.length ? Math.max(...finite) : 10;
  if (log) return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi === lo ? hi * 10 : hi))];
  const step = ticks(0, hi, false)[1] ?? 1;
  return [0, Math.ceil(hi / step) * step || 1];
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A line chart as a standalone SVG document; points that are not finite (fell behind) are left out. */
export function lineChartSvg(chart: Chart): string {
  const points = chart.series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  const [x0, x1] = range(points.map(([x]) => x), chart.logX ?? false);
  const [y0, y1] = range(points.map(([, y]) => y), chart.logY ?? false);
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const scale = (v: number, a: number, b: number, log: boolean) => (log ? (Math.log10(v) - Math.log10(a)) / (Math.log10(b) - Math.log10(a)) : (v - a) / (b - a));
  const px = (x: number) => margin.left + scale(x, x0, x1, chart.logX ?? false) * plotW;
  const py = (y: number) => margin.top + plotH - scale(y, y0, y1, chart.logY ?? false) * plotH;
  const f = (n: number) => n.toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escape(chart.title)}</text>`,
  ];
  for (const t of ticks(x0, x1, chart.logX ?? false)) {
    parts.push(`<line x1="${f(px(t))}" y1="${margin.top}" x2="${f(px(t))}" y2="${margin.top + plotH}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${f(px(t))}" y="${margin.top + plotH + 16}" text-anchor="middle">${figure(t)}</text>`);
  }
  for (const t of ticks(y0, y1, chart.logY ?? false)) {
    parts.push(`<line x1="${margin.left}" y1="${f(py(t))}" x2="${margin.left + plotW}" y2="${f(py(t))}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${f(py(t) + 4)}" text-anchor="end">${figure(t)}</text>`);
  }
  parts.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${margin.left + plotW / 2}" y="${height - 12}" text-anchor="middle">${escape(chart.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(chart.yLabel)}</text>`);
  chart.series.forEach((s, i) => {
    const finite = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (finite.length > 1) {
      parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${finite.map(([x, y]) => `${f(px(x))},${f(py(y))}`).join(' ')}"/>`);
    }
    for (const [x, y] of finite) parts.push(`<circle cx="${f(px(x))}" cy="${f(py(y))}" r="3" fill="${s.color}"/>`);
    const ly = margin.top + 10 + i * 20;
    const lx = margin.left + plotW + 14;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${lx + 30}" y="${ly + 4}">${escape(s.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

const palette = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd'];

/** Latency p50 (dashed) and p99 (solid) against the rate, medians over runs, one colour per engine setting. */
export function latencyChart(columns: readonly EngineColumn[]): string {
  const series: Series[] = columns.flatMap((c, i) => {
    const rates = [...new Set(c.runs.flatMap((r) => r.rates.map((x) => x.rate)))].sort((a, b) => a - b);
    const at = (rate: number, pick: (x: RateRun) => number) => spread(c.runs.flatMap((r) => r.rates.filter((x) => x.rate === rate).map(pick))).median;
    const color = palette[i % palette.length]!;
    return [
      { name: `${c.label} p99`, color, points: rates.map((rate) => [rate, at(rate, (x) => x.p99Ms)] as const) },
      { name: `${c.label} p50`, color, dashed: true, points: rates.map((rate) => [rate, at(rate, (x) => x.p50Ms)] as const) },
    ];
  });
  return lineChartSvg({ title: 'Latency patch → webhook vs rate (a missing point: fell behind)', xLabel: 'changes/s', yLabel: 'latency (ms, log)', series, logY: true });
}

/** RSS against the number of Pods watched, medians over runs; Herald's with and without its nats-server. */
export function rssChart(columns: readonly EngineColumn[]): string {
  const mib = 1024 * 1024;
  const series: Series[] = columns.flatMap((c, i) => {
    const watched = [...new Set(c.runs.flatMap((r) => r.rss.map((x) => x.watched)))].sort((a, b) => a - b);
    const at = (n: number, pick: (x: EngineRun['rss'][number]) => number) => spread(c.runs.flatMap((r) => r.rss.filter((x) => x.watched === n).map(pick))).median / mib;
    const color = palette[i % palette.length]!;
    const own: Series = { name: c.label, color, points: watched.map((n) => [n, at(n, (x) => x.rss)] as const) };
    const withNats = c.runs.some((r) => r.rss.some((x) => x.natsRss !== undefined));
    return withNats ? [own, { name: `${c.label} + nats-server`, color, dashed: true, points: watched.map((n) => [n, at(n, (x) => x.rss + (x.natsRss ?? 0))] as const) }] : [own];
  });
  return lineChartSvg({ title: 'RSS steady vs Pods watched', xLabel: 'Pods watched (log)', yLabel: 'RSS (MiB)', series, logX: true });
}
