import { parentPort } from 'node:worker_threads';
import { HeraldError } from '@herald/plugin-sdk';
import { compileExpression, evaluateCondition } from '../expr/index.ts';
import { compileTemplate } from '../template/index.ts';
import type { OffThreadOutcome, OffThreadRequest } from './off-thread.ts';

function run(request: OffThreadRequest): OffThreadOutcome {
  try {
    if (request.kind === 'condition') {
      const { value, error } = evaluateCondition(compileExpression(request.source), request.vars);
      return error === undefined ? { value } : { value, error: { code: error.code, message: error.message } };
    }
    return { value: compileTemplate(request.source, request.name).render(request.vars) };
  } catch (error) {
    if (error instanceof HeraldError) return { error: { code: error.code, message: error.message } };
    throw error;
  }
}

parentPort?.on('message', (request: OffThreadRequest) => {
  parentPort?.postMessage(run(request));
});
