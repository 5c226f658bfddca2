import { secret, z } from '@herald/plugin-sdk';
import { httpPluginConfigSchema, httpUrlSchema, transportOptionsShape, type HttpPluginConfig } from '@herald/plugin-http';

/** Options of one `service.grafana[.<name>]` entry: Argo's grafana options (transport ones included), plus Herald's `timeout`. */
export const grafanaServiceConfigSchema = z.strictObject({
  /** Grafana's HTTP API, e.g. `https://grafana.example.com/api`; `/annotations` is joined to its path. */
  apiUrl: httpUrlSchema('e.g. https://grafana.example.com/api'),
  /** A service account token (or legacy API key) allowed to create annotations, usually `$grafana-api-key`. */
  apiKey: secret(z.string().min(1, 'is required (a service account token, usually $grafana-api-key)')),
  ...transportOptionsShape,
});

export type GrafanaServiceConfig = z.output<typeof grafanaServiceConfigSchema>;
export type GrafanaServiceConfigInput = z.input<typeof grafanaServiceConfigSchema>;

/** Options of the grafana plugin itself (`plugins[i].options` in herald.yaml): the request bound for services that set no `timeout`. */
export const grafanaPluginConfigSchema = httpPluginConfigSchema;

export type GrafanaPluginConfig = HttpPluginConfig;
