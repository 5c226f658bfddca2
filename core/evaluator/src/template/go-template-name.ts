/**
 * The name Argo's engine gives the Go template it parses one field with (`texttemplate.New(name)`), from
 * Herald's name for that field (`template.<name>: <path>`): the template's name, but for the fields
 * whose service names them otherwise (webhook: `<name><webhook>`; opsgenie's details, responders,
 * actions and tags). `{{template "<it>"}}` calls the field itself, and `{{define "<it>"}}` is the field
 * when the text around it is empty. Undefined for a name of another shape.
 */
export function goTemplateName(heraldName: string): string | undefined {
  const match = /^template\.([^:]*): (.*)$/s.exec(heraldName);
  if (match === null) return undefined;
  const [, name = '', path = ''] = match;
  const webhook = /^webhook\.([^.[]+)\.(?:body|path)$/.exec(path);
  if (webhook !== null) return `${name}${webhook[1] ?? ''}`;
  const opsgenie =
    /^opsgenie\.(?:details\.(?<detail>.+)|visibleTo\[(?<responder>\d+)\]\.(?<field>id|type|name|username)|actions\[(?<action>\d+)\]|tags\[(?<tag>\d+)\])$/s.exec(path)?.groups;
  if (opsgenie?.detail !== undefined) return `${name}_detail_${opsgenie.detail}`;
  if (opsgenie?.responder !== undefined) return `${name}_responder_${opsgenie.responder}_${opsgenie.field ?? ''}`;
  if (opsgenie?.action !== undefined) return `${name}_action_${opsgenie.action}`;
  if (opsgenie?.tag !== undefined) return `${name}_tag_${opsgenie.tag}`;
  return name;
}
