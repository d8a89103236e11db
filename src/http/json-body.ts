/**
 * JSON.parse for request bodies, refusing the NUL character anywhere: PostgreSQL text cannot hold it,
 * so it must be a 400 naming the problem, never a database error. The reviver only runs when the
 * text can contain one (an escaped `\u0000`; JSON forbids raw control characters in strings).
 */
export function parseJsonBody(
  text: string,
  options: { allowNul?: boolean } = {},
): { ok: true; value: unknown } | { ok: false; message: string } {
  let value: unknown;
  let nul = false;
  try {
    value =
      !options.allowNul && text.includes('\\u0000')
        ? JSON.parse(text, (key, v: unknown) => {
            if (key.includes('\u0000') || (typeof v === 'string' && v.includes('\u0000'))) nul = true;
            return v;
          })
        : JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `the body is not valid JSON: ${(error as Error).message}` };
  }
  if (nul)
    return { ok: false, message: 'the body contains a NUL character (\\u0000), which no attribute may hold' };
  return { ok: true, value };
}
