import { de } from './de.ts';
import { en } from './en.ts';
import { fr } from './fr.ts';
import type { LocaleTexts } from './types.ts';

export type { LocaleTexts, TemplateText } from './types.ts';

/** Built-in texts by language. Adding a language is adding a file here; 'en' must stay (last fallback). */
export const builtInTexts: Readonly<Record<string, LocaleTexts>> = { en, fr, de };
