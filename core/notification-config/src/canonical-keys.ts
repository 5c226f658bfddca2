/**
 * The shape of a YAML value whose field names are matched case-insensitively, as Go's JSON decoder (which
 * Argo's sigs.k8s.io/yaml goes through) matches struct fields. `fields` lists the canonical names of a
 * struct; `entries` describes the values of a map with free keys (e.g. webhook names); `items` the
 * elements of a list.
 */
export interface KeyShape {
  fields?: Readonly<Record<string, KeyShape | true>>;
  entries?: KeyShape;
  items?: KeyShape;
}

/**
 * Renames object keys that match a canonical field name case-insensitively to that name. Keys that match
 * nothing are kept as written (template blocks of services Herald does not know pass through).
 */
export function canonicalizeKeys(value: unknown, shape: KeyShape | true | undefined): unknown {
  if (shape === undefined || shape === true) return value;
  if (Array.isArray(value)) return shape.items ? value.map((v) => canonicalizeKeys(v, shape.items)) : value;
  if (typeof value !== 'object' || value === null) return value;
  const byLower = shape.fields ? lowerIndex(shape.fields) : undefined;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const canonical = byLower?.get(key.toLowerCase());
    if (canonical !== undefined) {
      // An exact match wins over a case-insensitive one, as in Go.
      if (Object.hasOwn(out, canonical) && key !== canonical) continue;
      out[canonical] = canonicalizeKeys(v, shape.fields![canonical]);
    } else {
      out[key] = shape.entries ? canonicalizeKeys(v, shape.entries) : v;
    }
  }
  return out;
}

const indexes = new WeakMap<object, Map<string, string>>();
function lowerIndex(fields: Readonly<Record<string, unknown>>): Map<string, string> {
  let index = indexes.get(fields);
  if (!index) {
    index = new Map(Object.keys(fields).map((k) => [k.toLowerCase(), k]));
    indexes.set(fields, index);
  }
  return index;
}

const leaf = true as const;
const fieldsOf = (...names: string[]): KeyShape => ({ fields: Object.fromEntries(names.map((n) => [n, leaf])) });

/** A trigger condition (`trigger.<name>` is a list of these). */
export const triggerConditionShape: KeyShape = { items: fieldsOf('when', 'oncePer', 'description', 'send') };

/** A global subscription (the `subscriptions` key is a list of these). */
export const subscriptionShape: KeyShape = { items: fieldsOf('recipients', 'triggers', 'selector') };

/** The `notifications.argoproj.io/subscriptions` annotation: a list of these. */
export const annotationSubscriptionShape: KeyShape = {
  items: { fields: { trigger: leaf, destinations: { items: fieldsOf('service', 'recipients') } } },
};

/** `template.<name>`: `message` plus the blocks of the services Argo knows. */
export const templateShape: KeyShape = {
  fields: {
    message: leaf,
    email: fieldsOf('subject', 'body'),
    slack: fieldsOf('attachments', 'blocks', 'groupingKey', 'notifyBroadcast', 'deliveryPolicy', 'username', 'icon'),
    mattermost: fieldsOf('attachments'),
    rocketchat: fieldsOf('attachments', 'emoji', 'avatar'),
    teams: fieldsOf('template', 'title', 'summary', 'text', 'sections', 'potentialAction', 'themeColor', 'facts'),
    teamsWorkflows: fieldsOf('template', 'title', 'summary', 'text', 'sections', 'potentialAction', 'themeColor', 'facts', 'adaptiveCard'),
    googlechat: fieldsOf('cards', 'cardsV2', 'threadKey'),
    webhook: { entries: fieldsOf('method', 'path', 'body') },
    opsgenie: fieldsOf('description', 'priority', 'alias', 'note', 'actions', 'tags', 'entity', 'user', 'visibleTo', 'details'),
    pagerduty: fieldsOf('title', 'body', 'urgency', 'priorityId'),
    pagerdutyv2: fieldsOf('summary', 'severity', 'source', 'component', 'group', 'class', 'url', 'timestamp'),
    alertmanager: fieldsOf('labels', 'annotations', 'generatorURL'),
    telegram: fieldsOf('message'),
    github: {
      fields: {
        repoURLPath: leaf,
        revisionPath: leaf,
        status: fieldsOf('state', 'label', 'targetURL'),
        deployment: fieldsOf('state', 'environment', 'environmentURL', 'logURL', 'requiredContexts', 'autoMerge', 'transientEnvironment', 'reference'),
        pullRequestComment: fieldsOf('content', 'commentTag'),
        checkRun: fieldsOf('name', 'detailsURL', 'status', 'conclusion', 'startedAt', 'completedAt', 'externalID', 'output'),
      },
    },
    newrelic: fieldsOf('description', 'changelog', 'user'),
    webex: fieldsOf('message'),
  },
};
