import {
  context,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type AttributeValue,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type SpanKind,
  type SpanOptions,
  type SpanStatus,
  type TimeInput,
  type Tracer,
} from '@opentelemetry/api';

/** A span as a plugin left it: what a test asserts on. */
export interface RecordedSpan {
  name: string;
  kind: SpanKind | undefined;
  attributes: Attributes;
  events: { name: string; attributes: Attributes }[];
  links: Link[];
  status: SpanStatus;
  /** Exceptions passed to `recordException`. */
  exceptions: unknown[];
  /**
   * The name of the recorded span it was started under: the one in the context passed to `startSpan`, or the
   * active one (which needs a context manager registered, as Herald has; without one only explicit contexts).
   */
  parent: string | undefined;
  ended: boolean;
}

export interface RecordingTracer extends Tracer {
  /** Every span started, in start order, ended or not. */
  readonly spans: RecordedSpan[];
}

/**
 * An OpenTelemetry Tracer that keeps the spans a plugin makes, with their attributes, events, status and
 * parent, without an SDK or exporter and without touching OpenTelemetry's globals.
 */
export function recordingTracer(): RecordingTracer {
  const spans: RecordedSpan[] = [];
  const names = new WeakMap<SpanContext, string>();
  let next = 0;

  const startSpan = (name: string, options: SpanOptions = {}, ctx: Context = context.active()): Span => {
    const parentContext = options.root ? undefined : trace.getSpanContext(ctx);
    next++;
    const spanContext: SpanContext = {
      traceId: parentContext?.traceId ?? next.toString(16).padStart(32, '0'),
      spanId: next.toString(16).padStart(16, '0'),
      traceFlags: TraceFlags.SAMPLED,
    };
    const record: RecordedSpan = {
      name,
      kind: options.kind,
      attributes: { ...options.attributes },
      events: [],
      links: [...(options.links ?? [])],
      status: { code: SpanStatusCode.UNSET },
      exceptions: [],
      parent: parentContext ? names.get(parentContext) : undefined,
      ended: false,
    };
    names.set(spanContext, name);
    spans.push(record);
    const span: Span = {
      spanContext: () => spanContext,
      setAttribute(key: string, value: AttributeValue) {
        if (!record.ended) record.attributes[key] = value;
        return span;
      },
      setAttributes(attributes: Attributes) {
        if (!record.ended) Object.assign(record.attributes, attributes);
        return span;
      },
      addEvent(eventName: string, attributes?: Attributes | TimeInput) {
        const attrs = attributes !== null && typeof attributes === 'object' && !(attributes instanceof Date) && !Array.isArray(attributes) ? attributes : {};
        if (!record.ended) record.events.push({ name: eventName, attributes: { ...attrs } });
        return span;
      },
      addLink(link: Link) {
        record.links.push(link);
        return span;
      },
      addLinks(links: Link[]) {
        record.links.push(...links);
        return span;
      },
      setStatus(status: SpanStatus) {
        if (!record.ended) record.status = status;
        return span;
      },
      updateName(newName: string) {
        record.name = newName;
        return span;
      },
      end() {
        record.ended = true;
      },
      isRecording: () => !record.ended,
      recordException(exception: unknown) {
        record.exceptions.push(exception);
      },
    };
    return span;
  };

  function startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest.pop() as F;
    const [options, ctx] = rest as [SpanOptions | undefined, Context | undefined];
    const span = startSpan(name, options, ctx ?? context.active());
    return context.with(trace.setSpan(ctx ?? context.active(), span), () => fn(span)) as ReturnType<F>;
  }

  return { spans, startSpan, startActiveSpan };
}
