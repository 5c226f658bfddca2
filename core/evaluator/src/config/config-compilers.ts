import type { ConfigCompilers } from '@herald/core-notification-config';
import { compileExpression } from '../expr/index.ts';
import type { HostClock } from '../host/index.ts';
import { compileTemplate } from '../template/index.ts';

/** The evaluator's languages, for the notification config to compile triggers and templates with. */
export function configCompilers(clock?: HostClock): ConfigCompilers {
  return {
    expression: compileExpression,
    template: (source, name) => compileTemplate(source, name, clock ? { clock } : {}),
  };
}
