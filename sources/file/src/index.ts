export { default, default as fileSource } from './file-source.ts';
export { configSchema, type FileSourceConfig } from './file-source.config.ts';
export { FileSourceError, FileSourceErrorCodes, type FileSourceErrorCode } from './errors.ts';
