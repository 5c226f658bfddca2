import { MetricReader } from '@opentelemetry/sdk-metrics';

/** A metric reader the test asks for the current values, rather than one that exports on a schedule. */
export class TestMetricReader extends MetricReader {
  /** Sum of a counter's data points whose attributes include `attributes`. */
  async counter(name: string, attributes: Record<string, string> = {}): Promise<number> {
    const { resourceMetrics } = await this.collect();
    let sum = 0;
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.descriptor.name !== name) continue;
        for (const point of metric.dataPoints) {
          const matches = Object.entries(attributes).every(([k, v]) => point.attributes[k] === v);
          if (matches && typeof point.value === 'number') sum += point.value;
        }
      }
    }
    return sum;
  }

  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}
