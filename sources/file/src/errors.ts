import { HeraldError } from '@herald/plugin-sdk';

export const FileSourceErrorCodes = {
  /** The configured folder does not exist, is not a folder, or cannot be read. */
  folder: 'HERALD_ERR_FILE_SOURCE_FOLDER',
  /** A file could not be read (permissions, too large). Its objects keep their last good version. */
  unreadable: 'HERALD_ERR_FILE_SOURCE_UNREADABLE',
  /** A document is not valid YAML, or a `.json` file not valid JSON. */
  syntax: 'HERALD_ERR_FILE_SOURCE_SYNTAX',
  /** A document parsed but is not a Kubernetes-shaped object (no apiVersion, kind or metadata.name; a wrong type). */
  invalidObject: 'HERALD_ERR_FILE_SOURCE_OBJECT_INVALID',
  /** Two documents (in one file or two) define the same object: the later one, in path order, wins. */
  duplicate: 'HERALD_ERR_FILE_SOURCE_DUPLICATE',
  /** The bus refused an object's event for good (too large): not published; the file's next change is tried again. */
  refused: 'HERALD_ERR_FILE_SOURCE_OBJECT_REFUSED',
} as const;

export type FileSourceErrorCode = (typeof FileSourceErrorCodes)[keyof typeof FileSourceErrorCodes];

export class FileSourceError extends HeraldError {
  constructor(code: FileSourceErrorCode, message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(code, message, options);
    this.name = 'FileSourceError';
  }
}
