import { DateTime } from '../datetime.ts';
import { compileFormat, formatDate } from '../dotnet-format.ts';
import { defaultStyles, parseExact, parseStyles } from '../dotnet-parse.ts';
import {
  type Arg,
  argumentError,
  type FunctionSpec,
  runtimeError,
  type Site,
  type State,
} from '../runtime.ts';
import { resolveZone, wallToUtc, type Zone } from '../timezones.ts';
import { one, text } from '../values.ts';

const formatParams = [
  'source',
  'dateTimeStyles',
  'inputFormat',
  'outputFormat',
  'inputTimeZone',
  'outputTimeZone',
];

/**
 * FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat), parsing with .NET's ParseExact and
 * printing with ToString(format). Joinery also accepts the older three-argument form (source, inputFormat,
 * outputFormat) and, as an extension, inputTimeZone and outputTimeZone after outputFormat: the first says
 * where a source without an offset was written, the second converts the result before it is printed.
 */
export const formatDateTime: FunctionSpec = {
  name: 'FormatDateTime',
  params: formatParams,
  signature:
    'FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat[, inputTimeZone, outputTimeZone])',
  min: 3,
  max: 6,
  omittable: (i, argc) => argc >= 4 && (i === 1 || i >= 4),
  build: (args, site) => {
    const legacy = args.length === 3;
    const pick = (name: string): Arg | undefined => {
      const index = formatParams.indexOf(name) - (legacy && name !== 'source' ? 1 : 0);
      return legacy && name === 'dateTimeStyles' ? undefined : args[index];
    };
    const source = pick('source') as Arg;
    const styles = constantOr(pick('dateTimeStyles'), site, 'dateTimeStyles', (t) =>
      t === '' ? defaultStyles : parseStyles(t),
    );
    const inputFormat = constantOr(pick('inputFormat'), site, 'inputFormat', compileFormat);
    const outputFormat = constantOr(pick('outputFormat'), site, 'outputFormat', compileFormat);
    const inputZone = constantOr(pick('inputTimeZone'), site, 'inputTimeZone', zoneOf);
    const outputZone = constantOr(pick('outputTimeZone'), site, 'outputTimeZone', zoneOf);
    return (s) => {
      const v = one(source.run(s), site, 'source');
      if (v === null || v === '') return null;
      const output = outputFormat(s) ?? runtimeError(site, 'outputFormat has no value');
      let date: DateTime;
      if (v instanceof DateTime) {
        // Already a DateTime (CDate, DateAdd, Now): nothing to parse, so inputFormat does not apply.
        date = v;
      } else {
        const input = inputFormat(s) ?? runtimeError(site, 'inputFormat has no value');
        const zone = inputZone(s);
        const parsed = parseExact(typeof v === 'string' ? v : String(v), input, {
          styles: styles(s) ?? defaultStyles,
          nowMs: s.ctx.now().getTime(),
          zone: zone === undefined ? undefined : (wall) => wallToUtc(wall, zone),
        });
        if (typeof parsed === 'string') return runtimeError(site, parsed);
        date = new DateTime(parsed.ms, parsed.kind);
      }
      const zone = outputZone(s);
      return formatDate(date.ms, output, { kind: date.kind, offsetMinutes: zone?.offsetAt(date.ms) });
    };
  },
};

function zoneOf(name: string): Zone | string | undefined {
  if (name.trim() === '') return undefined;
  return (
    resolveZone(name) ?? `"${name}" is not a known time zone (use an IANA name such as Europe/Paris, or UTC)`
  );
}

/**
 * Reads an optional text parameter through `convert` (which returns a problem as a string). A literal is
 * converted once here and its problem reported at compile time; anything else is converted per evaluation.
 */
function constantOr<T extends object>(
  arg: Arg | undefined,
  site: Site,
  what: string,
  convert: (text: string) => T | string | undefined,
): (s: State) => T | undefined {
  if (arg === undefined || arg.omitted) return () => undefined;
  if (typeof arg.literal === 'string') {
    const made = convert(arg.literal);
    if (typeof made === 'string') argumentError(site, arg, `${what}: ${made}`);
    return () => made;
  }
  return (s) => {
    const t = text(arg.run(s), site, what);
    if (t === null) return undefined;
    const made = convert(t);
    if (typeof made === 'string') return runtimeError(site, `${what}: ${made}`);
    return made;
  };
}
