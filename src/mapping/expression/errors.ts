/** Error shapes shared by the lexer, parser, compiler and evaluator. */

export type ErrorCode =
  | 'mapping.syntax'
  | 'mapping.unknown_function'
  | 'mapping.arity'
  | 'mapping.runtime'
  | 'mapping.not_applicable';

export interface Position {
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, counted in Unicode code points. */
  readonly column: number;
}

export interface ExpressionError {
  code: ErrorCode;
  message: string;
  line: number;
  column: number;
}

export function expressionError(code: ErrorCode, message: string, at: Position): ExpressionError {
  return { code, message, line: at.line, column: at.column };
}

/**
 * Thrown inside the lexer, parser, compiler and evaluator and caught at the public boundary, so the
 * closures stay simple (no result objects threaded through every call). It never escapes index.ts.
 */
export class ExpressionFailure extends Error {
  readonly error: ExpressionError;
  constructor(code: ErrorCode, message: string, at: Position) {
    super(message);
    this.name = 'ExpressionFailure';
    this.error = expressionError(code, message, at);
  }
}

export function fail(code: ErrorCode, message: string, at: Position): never {
  throw new ExpressionFailure(code, message, at);
}
