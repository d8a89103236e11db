import { builtInTexts, type LocaleTexts } from './templates/index.ts';

export interface ResolvedLocale {
  /** The language whose texts are used ('fr' for 'fr-CA'). */
  language: string;
  texts: LocaleTexts;
  /** The tag dates are formatted with: the requested one when Intl knows it, so 'fr-CA' keeps its order. */
  formatLocale: string;
}

function canonical(tag: string): string | null {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null;
  } catch {
    return null;
  }
}

/** 'fr-CA' -> 'fr-CA', 'fr'; null for a tag that is not one. */
function candidates(tag: string | null | undefined): string[] {
  const c = tag ? canonical(tag.trim().replace(/_/g, '-')) : null;
  if (!c) return [];
  const language = c.split('-')[0] ?? c;
  return language === c ? [c] : [c, language];
}

/** Language fallback: the message's ('fr-CA', then 'fr'), then the configured default, then English. */
export function resolveLocale(requested: string | null | undefined, defaultLocale: string): ResolvedLocale {
  for (const tag of [...candidates(requested), ...candidates(defaultLocale), 'en']) {
    const key = tag.toLowerCase();
    const texts = Object.hasOwn(builtInTexts, key) ? builtInTexts[key] : undefined;
    if (!texts) continue;
    const wanted = candidates(requested)[0];
    const sameLanguage = wanted?.split('-')[0]?.toLowerCase() === key;
    const formatLocale =
      wanted && sameLanguage && Intl.DateTimeFormat.supportedLocalesOf(wanted).length > 0 ? wanted : key;
    return { language: key, texts, formatLocale };
  }
  throw new Error('notifications: the English templates are missing');
}
