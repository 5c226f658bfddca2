// The starter runs before any Herald package is installed (`npm create` fetches it alone), so its errors do
// not extend the SDK's HeraldError; they carry the same kind of stable code.
export const CreatePluginErrorCodes = {
  /** The package name breaks npm's rules (upper case, spaces, a leading dot, a Node built-in...). */
  invalidName: 'HERALD_ERR_CREATE_PLUGIN_NAME',
  /** `--kind` is neither `sink` nor `source`. */
  invalidKind: 'HERALD_ERR_CREATE_PLUGIN_KIND',
  /** The target folder exists and is not empty (or is a file): nothing is written into it. */
  folderNotEmpty: 'HERALD_ERR_CREATE_PLUGIN_FOLDER',
  /** This installation of the starter has no templates folder (one that kept only dist/, like Herald's image). */
  templatesMissing: 'HERALD_ERR_CREATE_PLUGIN_TEMPLATES',
} as const;

export type CreatePluginErrorCode = (typeof CreatePluginErrorCodes)[keyof typeof CreatePluginErrorCodes];

export class CreatePluginError extends Error {
  readonly code: CreatePluginErrorCode;

  constructor(code: CreatePluginErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CreatePluginError';
    this.code = code;
  }
}
