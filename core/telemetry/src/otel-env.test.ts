import { describe, expect, it } from 'vitest';
import { checkOtelEnv } from './otel-env.ts';

describe('checkOtelEnv', () => {
  it.each([
    [{}, [], false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, [], true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, [], true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }, [], true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' }, [], false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' }, ['OTEL_EXPORTER_OTLP_PROTOCOL="thrift" is not one of http/protobuf, http/json, grpc'], false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, ['OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318" is not an http(s) URL'], false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }, ['OTEL_EXPORTER_OTLP_ENDPOINT="not a url" is not an http(s) URL'], false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER: 'sometimes' }, ['OTEL_TRACES_SAMPLER="sometimes" is not one of'], false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_PROPAGATORS: 'tracecontext,xray' }, ['OTEL_PROPAGATORS names "xray"'], false],
    [{ OTEL_SDK_DISABLED: 'yes' }, ['OTEL_SDK_DISABLED="yes" is neither true nor false'], false],
  ])('%j: problems %j, export %s', (env, problems, exportTraces) => {
    const check = checkOtelEnv(env);
    expect(check.problems).toHaveLength(problems.length);
    problems.forEach((p, i) => expect(check.problems[i]).toContain(p));
    expect(check.exportTraces).toBe(exportTraces);
  });

  it('reads OTEL_SDK_DISABLED and the protocol', () => {
    expect(checkOtelEnv({ OTEL_SDK_DISABLED: 'TRUE' }).disabled).toBe(true);
    expect(checkOtelEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).protocol).toBe('grpc');
    expect(checkOtelEnv({}).protocol).toBe('http/protobuf');
  });
});
