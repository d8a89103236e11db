import { type Filter, parseFilter } from '../scim/index.ts';

/**
 * Entra's workflow scope rules are written like `(department eq 'Sales') and (jobTitle eq 'Manager')`:
 * SCIM filter grammar with single quotes and Graph attribute names. Both spellings are accepted: the
 * rule is rewritten into a SCIM filter (double quotes, Joinery's attribute names) and parsed by the
 * SCIM parser, so rules and `/Users?filter=` mean exactly the same thing.
 */
const graphNames: Record<string, string> = {
  jobtitle: 'title',
  employeeid: 'employeeNumber',
  accountenabled: 'active',
  companyname: 'organization',
  employeetype: 'userType',
  mail: 'emails.value',
};

function renameAttributes(segment: string): string {
  return segment.replace(/[A-Za-z][A-Za-z0-9_.]*/g, (word) => graphNames[word.toLowerCase()] ?? word);
}

/** The rule as SCIM filter text, or a message saying where a quote is left open. */
export function ruleToScimFilter(rule: string): { ok: true; text: string } | { ok: false; message: string } {
  let out = '';
  let plain = '';
  let i = 0;
  while (i < rule.length) {
    const c = rule[i] as string;
    if (c !== "'" && c !== '"') {
      plain += c;
      i++;
      continue;
    }
    out += renameAttributes(plain);
    plain = '';
    let value = '';
    let j = i + 1;
    let closed = false;
    while (j < rule.length) {
      const d = rule[j] as string;
      if (c === "'" && d === "'" && rule[j + 1] === "'") {
        value += "'";
        j += 2;
        continue;
      }
      if (c === '"' && d === '\\' && j + 1 < rule.length) {
        value += rule.slice(j, j + 2);
        j += 2;
        continue;
      }
      if (d === c) {
        closed = true;
        break;
      }
      value += d;
      j++;
    }
    if (!closed) return { ok: false, message: `the quote at position ${i + 1} is not closed` };
    out += c === "'" ? JSON.stringify(value) : `"${value}"`;
    i = j + 1;
  }
  return { ok: true, text: out + renameAttributes(plain) };
}

export function parseRule(rule: string): { ok: true; filter: Filter } | { ok: false; message: string } {
  const text = ruleToScimFilter(rule);
  if (!text.ok) return text;
  const parsed = parseFilter(text.text);
  return parsed.ok ? { ok: true, filter: parsed.value } : { ok: false, message: parsed.error.detail };
}
