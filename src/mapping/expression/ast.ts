import type { Position } from './errors.ts';

/** The parsed form of an expression. Positions point at the token that starts each node. */
export type Node =
  | StringNode
  | NumberNode
  | BooleanNode
  | ConstantNode
  | AttributeNode
  | CallNode
  | CompareNode
  | OmittedNode;

export interface StringNode {
  readonly kind: 'string';
  readonly value: string;
  readonly at: Position;
}

export interface NumberNode {
  readonly kind: 'number';
  readonly value: number;
  /** As written (decimal, or VBA hex such as `&HF7`), kept for error messages and printing. */
  readonly raw: string;
  readonly at: Position;
}

export interface BooleanNode {
  readonly kind: 'boolean';
  readonly value: boolean;
  readonly at: Position;
}

/** Bare names Entra documents as values: vbTextCompare, vbBinaryCompare, IgnoreAttributeFlow, IgnoreObjectFlow. */
export type ConstantName = 'vbTextCompare' | 'vbBinaryCompare' | 'IgnoreAttributeFlow' | 'IgnoreObjectFlow';

export interface ConstantNode {
  readonly kind: 'constant';
  readonly name: ConstantName;
  readonly at: Position;
}

export interface AttributeNode {
  readonly kind: 'attribute';
  /** The text between the outermost brackets, exactly as written. */
  readonly name: string;
  readonly at: Position;
}

export interface CallNode {
  readonly kind: 'call';
  /** The function name as written; the compiler resolves it case-insensitively. */
  readonly name: string;
  readonly args: readonly Node[];
  readonly at: Position;
}

export type CompareOperator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export interface CompareNode {
  readonly kind: 'compare';
  readonly op: CompareOperator;
  readonly left: Node;
  readonly right: Node;
  /** Position of the operator. */
  readonly at: Position;
}

/** An empty argument position, as in `Switch([x], , "a", "b")`. */
export interface OmittedNode {
  readonly kind: 'omitted';
  readonly at: Position;
}
