/**
 * Ferry's error model. Services throw these; only `server/error-handler.ts`
 * turns a code into an HTTP status and a protocol-shaped body.
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'CONFLICT',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FerryErrorOptions {
  details?: Record<string, unknown>;
  /**
   * The error code an external protocol expects where Ferry's code maps to
   * more than one of theirs (MLflow says RESOURCE_ALREADY_EXISTS for a
   * duplicate name but INVALID_PARAMETER_VALUE for a changed param).
   */
  protocolCode?: string;
  cause?: unknown;
}

export class FerryError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  readonly protocolCode?: string;

  constructor(code: ErrorCode, message: string, options: FerryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
    this.protocolCode = options.protocolCode;
  }
}

export class InvalidArgumentError extends FerryError {
  constructor(message: string, options?: FerryErrorOptions) {
    super('INVALID_ARGUMENT', message, options);
  }
}
export class NotFoundError extends FerryError {
  constructor(message: string, options?: FerryErrorOptions) {
    super('NOT_FOUND', message, options);
  }
}
export class AlreadyExistsError extends FerryError {
  constructor(message: string, options?: FerryErrorOptions) {
    super('ALREADY_EXISTS', message, options);
  }
}
export class ConflictError extends FerryError {
  constructor(message: string, options?: FerryErrorOptions) {
    super('CONFLICT', message, options);
  }
}
export class UnauthenticatedError extends FerryError {
  constructor(message: string, options?: FerryErrorOptions) {
    super('UNAUTHENTICATED', message, options);
  }
}
export class PermissionDeniedError extends FerryError {
  constructor(message: string, options?: FerryErrorOptions) {
    super('PERMISSION_DENIED', message, options);
  }
}
export class UnavailableError extends FerryError {
  constructor(message: string, options?: FerryErrorOptions) {
    super('UNAVAILABLE', message, options);
  }
}
export class InternalError extends FerryError {
  constructor(message: string, options?: FerryErrorOptions) {
    super('INTERNAL', message, options);
  }
}

const ERROR_CLASSES: Record<ErrorCode, new (message: string, options?: FerryErrorOptions) => FerryError> = {
  INVALID_ARGUMENT: InvalidArgumentError,
  NOT_FOUND: NotFoundError,
  ALREADY_EXISTS: AlreadyExistsError,
  CONFLICT: ConflictError,
  UNAUTHENTICATED: UnauthenticatedError,
  PERMISSION_DENIED: PermissionDeniedError,
  UNAVAILABLE: UnavailableError,
  INTERNAL: InternalError,
};

/** Rebuilds the matching error class from a wire `code` (used by the SDK). */
export function errorFromCode(code: string, message: string, details?: Record<string, unknown>): FerryError {
  const cls = (ERROR_CLASSES as Record<string, (typeof ERROR_CLASSES)[ErrorCode] | undefined>)[code] ?? InternalError;
  return new cls(message, { details });
}

export function isFerryError(err: unknown): err is FerryError {
  return err instanceof FerryError;
}
