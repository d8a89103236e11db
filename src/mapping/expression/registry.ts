import { dateFunctions } from './functions/dates.ts';
import { directoryFunctions } from './functions/directory.ts';
import { generatorFunctions } from './functions/generators.ts';
import { logicFunctions } from './functions/logic.ts';
import { multivaluedFunctions } from './functions/multivalued.ts';
import { replaceFunction } from './functions/replace.ts';
import { stringFunctions } from './functions/strings.ts';
import type { FunctionSpec } from './runtime.ts';

const all: readonly FunctionSpec[] = [
  ...stringFunctions,
  replaceFunction,
  ...dateFunctions,
  ...logicFunctions,
  ...multivaluedFunctions,
  ...generatorFunctions,
  ...directoryFunctions,
].sort((a, b) => a.name.localeCompare(b.name, 'en'));

const byName: ReadonlyMap<string, FunctionSpec> = new Map(all.map((f) => [f.name.toLowerCase(), f]));

/** Function names are case-insensitive, as in Visual Basic. */
export function lookupFunction(name: string): FunctionSpec | undefined {
  return byName.get(name.toLowerCase());
}

export const specs: readonly FunctionSpec[] = all;
