/**
 * When two elements of a multi-valued attribute are "the same value" (an add of it is a no-op, a remove
 * by value takes it out), and an index that keeps that question cheap on big lists: a group with tens
 * of thousands of members receives adds and removes of hundreds at once.
 */
import type { AttributeDefinition } from '../schema-types.ts';
import { findAttribute } from '../schema-types.ts';
import { instantOf } from './datetime.ts';
import { deepEqual, getAttr, isObject, isUnassigned, sameSimple } from './values.ts';

interface Shape {
  value: AttributeDefinition | undefined;
  type: AttributeDefinition | undefined;
  /** Compared when there is no `value` to go by: the writable sub-attributes except `primary`. */
  rest: AttributeDefinition[];
}

const shapes = new WeakMap<AttributeDefinition, Shape>();

function shapeOf(definition: AttributeDefinition): Shape {
  let shape = shapes.get(definition);
  if (!shape) {
    const subs = definition.subAttributes ?? [];
    shape = {
      value: findAttribute(subs, 'value'),
      type: findAttribute(subs, 'type'),
      rest: subs.filter((s) => s.name !== 'primary' && s.mutability !== 'readOnly'),
    };
    shapes.set(definition, shape);
  }
  return shape;
}

/**
 * For the usual value/type shape (RFC 7643 §2.4) `value` decides, and `type` only when both sides carry
 * one: a client adding `{"value":"id"}` to members means the member stored as
 * `{"value":"id","type":"User"}`. Otherwise (no `value` sub-attribute, or neither element has a value)
 * every writable sub-attribute except `primary` is compared.
 */
export function sameElement(definition: AttributeDefinition, a: unknown, b: unknown): boolean {
  if (definition.type !== 'complex') return sameSimple(definition, a, b);
  if (!isObject(a) || !isObject(b)) return false;
  const shape = shapeOf(definition);
  const [va, vb] = [getAttr(a, 'value'), getAttr(b, 'value')];
  if (shape.value && !(isUnassigned(va) && isUnassigned(vb))) {
    if (isUnassigned(va) || isUnassigned(vb) || !sameSimple(shape.value, va, vb)) return false;
    const [ta, tb] = [getAttr(a, 'type'), getAttr(b, 'type')];
    return !shape.type || isUnassigned(ta) || isUnassigned(tb) || sameSimple(shape.type, ta, tb);
  }
  return shape.rest.every((s) => {
    const [x, y] = [getAttr(a, s.name), getAttr(b, s.name)];
    if (isUnassigned(x) || isUnassigned(y)) return isUnassigned(x) && isUnassigned(y);
    return s.multiValued ? deepEqual(x, y) : sameSimple(s, x, y);
  });
}

/** A normalised simple value: equal per sameSimple implies equal keys. Null when there is none. */
function simpleKey(definition: AttributeDefinition, value: unknown): string | null {
  if (typeof value === 'string') {
    const instant = definition.type === 'dateTime' ? instantOf(value) : null;
    if (instant !== null) return `t:${instant}`;
    return `s:${definition.caseExact ? value : value.toLowerCase()}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value}:${value}`;
  return null;
}

/** sameElement(a, b) implies elementKey(a) === elementKey(b); null means "compare with everything". */
function elementKey(definition: AttributeDefinition, element: unknown): string | null {
  if (definition.type !== 'complex') return simpleKey(definition, element);
  const valueDef = shapeOf(definition).value;
  if (!valueDef || !isObject(element)) return null;
  const value = getAttr(element, 'value');
  return isUnassigned(value) ? 'none' : simpleKey(valueDef, value);
}

/**
 * Scanning is cheaper than bucketing a long list for one or two lookups (an operation adding a single
 * member); past this many lookups the list is bucketed by elementKey.
 */
const SCANS_BEFORE_INDEXING = 16;

/** Finds an element's twin in one list. `push` appends to the list itself. */
export class ElementIndex {
  private buckets: Map<string, unknown[]> | null = null;
  private readonly unkeyed: unknown[] = [];
  private scans = 0;

  constructor(
    private readonly definition: AttributeDefinition,
    private readonly list: unknown[],
  ) {}

  private file(element: unknown, buckets: Map<string, unknown[]>): void {
    const key = elementKey(this.definition, element);
    if (key === null) this.unkeyed.push(element);
    else {
      const bucket = buckets.get(key);
      if (bucket) bucket.push(element);
      else buckets.set(key, [element]);
    }
  }

  /** An element that is the same value as `element`, if any. */
  find(element: unknown): unknown {
    const same = (candidate: unknown) => sameElement(this.definition, candidate, element);
    if (this.buckets === null && ++this.scans <= SCANS_BEFORE_INDEXING) return this.list.find(same);
    if (this.buckets === null) {
      const buckets = new Map<string, unknown[]>();
      for (const item of this.list) this.file(item, buckets);
      this.buckets = buckets;
    }
    const key = elementKey(this.definition, element);
    return key === null
      ? this.list.find(same)
      : ((this.buckets.get(key) ?? []).find(same) ?? this.unkeyed.find(same));
  }

  push(element: unknown): void {
    this.list.push(element);
    if (this.buckets) this.file(element, this.buckets);
  }
}
