/** Destinations that get a label of their own, per service type and process; the rest share `OTHER_DESTINATIONS`. */
export const MAX_DESTINATION_LABELS = 50;
export const OTHER_DESTINATIONS = 'other';

/**
 * Metric label values for destinations (service and recipient): recipients come from subscriptions and
 * may follow objects, so the first `max` destinations a process sees keep a label of their own for as long
 * as it runs and every later one is folded into `other`. A Prometheus series per destination stays bounded.
 */
export class DestinationLabels {
  readonly #max: number;
  readonly #labels = new Map<string, string>();

  constructor(max = MAX_DESTINATION_LABELS) {
    this.#max = max;
  }

  /** `key` is the limiter's destination key: service and recipient joined by NUL. */
  of(key: string): string {
    const known = this.#labels.get(key);
    if (known !== undefined) return known;
    if (this.#labels.size >= this.#max) return OTHER_DESTINATIONS;
    const label = key.replace('\u0000', '/');
    this.#labels.set(key, label);
    return label;
  }
}
