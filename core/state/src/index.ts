export { startStateService, type StateServiceOptions } from './state-service.ts';
export { AnnotationMirror, type AnnotationMirrorOptions } from './annotation-mirror.ts';
