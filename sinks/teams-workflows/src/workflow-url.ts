// Argo checks a workflow URL before posting to it; Herald keeps its rules (https, except on the loopback
// host; a Power Automate host or path) and also takes the Logic Apps form older workflows were given.
const WORKFLOW_URL = /api\.(powerautomate|powerplatform)\.com|flow\.microsoft\.com|webhook\.office\.com\/workflows|\/powerautomate\/|\.logic\.azure\.com(:\d+)?\/workflows\//i;

/** Why `raw` is not a workflow URL Herald posts to, or undefined when it is one. Never quotes the URL. */
export function workflowUrlProblem(raw: string): string | undefined {
  if (raw === '') return 'the URL is empty';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'the URL is not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'the URL must use https';
  const loopback = url.hostname === 'localhost' || url.hostname.startsWith('127.');
  if (url.protocol !== 'https:' && !loopback) return 'the URL must use https';
  if (!WORKFLOW_URL.test(raw)) {
    return 'the URL does not look like a Teams Workflows (Power Automate) URL: expected api.powerautomate.com, api.powerplatform.com, flow.microsoft.com, webhook.office.com/workflows, a /powerautomate/ path or <region>.logic.azure.com/workflows/';
  }
  return undefined;
}
