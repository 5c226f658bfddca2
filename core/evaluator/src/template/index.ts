export { compileTemplate, type CompiledTemplate, type CompileTemplateOptions } from './compile-template.ts';
