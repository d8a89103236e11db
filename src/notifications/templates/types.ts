import type { BuiltInTemplate } from '../types.ts';

export interface TemplateText {
  subject: string;
  /** Plain text; a blank line separates paragraphs (the HTML part gets one <p> per paragraph). */
  body: string;
}

export interface LocaleTexts {
  /** Shown for an empty value in a change list. */
  empty: string;
  templates: Record<BuiltInTemplate, TemplateText>;
}
