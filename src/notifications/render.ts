import { err, failure, ok, type Result } from '../core/index.ts';
import { type FormatOptions, placeholderValue } from './format.ts';
import { textToHtml } from './html.ts';
import { resolveLocale } from './locale.ts';
import { parseTemplate, type Segment } from './placeholders.ts';
import { type EmailMessage, type EmailVars, emailTemplates } from './types.ts';

export interface RenderSettings {
  defaultLocale: string;
  defaultTimezone: string;
}

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  /** The language whose texts were used. */
  locale: string;
}

function fill(segments: Segment[], vars: EmailVars, options: FormatOptions): string {
  return segments.map((s) => (s.kind === 'text' ? s.text : placeholderValue(s.name, vars, options))).join('');
}

function compile(text: string, part: 'subject' | 'body'): Result<Segment[]> {
  const parsed = parseTemplate(text);
  if (parsed.ok) return parsed;
  return err({
    ...parsed.error,
    message: `${part}: ${parsed.error.message}`,
    details: { ...parsed.error.details, part },
  });
}

const known = new Set<string>(emailTemplates);

/**
 * Renders one message to its final subject, text and HTML. This happens when the message is queued,
 * so what is stored and sent is what the data said then: a later edit to the person changes nothing.
 */
export function renderEmail(message: EmailMessage, settings: RenderSettings): Result<RenderedEmail> {
  if (!known.has(message.template))
    return err(
      failure('notifications.invalid_template', `unknown template "${String(message.template)}"`, {
        template: message.template,
        known: emailTemplates,
      }),
    );
  const locale = resolveLocale(message.locale, settings.defaultLocale);
  const builtIn = message.template === 'custom' ? null : locale.texts.templates[message.template];
  const subjectText = message.subject ?? builtIn?.subject;
  const bodyText = message.body ?? builtIn?.body;
  if (subjectText === undefined || bodyText === undefined)
    return err(
      failure('notifications.invalid_template', 'the custom template needs both a subject and a body', {
        template: 'custom',
        missing: subjectText === undefined ? 'subject' : 'body',
      }),
    );
  const subject = compile(subjectText, 'subject');
  if (!subject.ok) return subject;
  const body = compile(bodyText, 'body');
  if (!body.ok) return body;

  const options: FormatOptions = {
    locale: locale.formatLocale,
    defaultTimezone: settings.defaultTimezone,
    empty: locale.texts.empty,
  };
  // A subject is one header line: line breaks in the data (or the template) become spaces.
  const subjectLine = fill(subject.value, message.vars, options)
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .trim();
  const text = fill(body.value, message.vars, options);
  const url = message.vars.activation?.url;
  const html = textToHtml(text, { lang: locale.formatLocale, links: url ? [url] : [] });
  return ok({ subject: subjectLine, text, html, locale: locale.language });
}
