/**
 * Letters that Unicode decomposition leaves alone but Entra's NormalizeDiacritics table maps (ø → oe, æ → ae,
 * ß → ss, ł → l, ı → i), plus the remaining Latin letters with strokes or ligatures (đ, ð, þ, ħ, ŧ, ŀ, ŋ, œ)
 * that would otherwise survive into user names and e-mail addresses.
 */
const special: Readonly<Record<string, string>> = {
  æ: 'ae',
  Æ: 'AE',
  ø: 'oe',
  Ø: 'OE',
  œ: 'oe',
  Œ: 'OE',
  ß: 'ss',
  ẞ: 'SS',
  ł: 'l',
  Ł: 'L',
  ı: 'i',
  đ: 'd',
  Đ: 'D',
  ð: 'd',
  Ð: 'D',
  þ: 'th',
  Þ: 'TH',
  ħ: 'h',
  Ħ: 'H',
  ŧ: 't',
  Ŧ: 'T',
  ŀ: 'l',
  Ŀ: 'L',
  ŋ: 'n',
  Ŋ: 'N',
  ĸ: 'k',
  ſ: 's',
};

const specialPattern = new RegExp(`[${Object.keys(special).join('')}]`, 'gu');

/**
 * Decomposes (NFD), drops the combining marks, maps the special letters, and recomposes what is left (NFC),
 * so "Zoë" becomes "Zoe", "Łukasz" "Lukasz" and "Søren" "Soeren".
 */
export function normalizeDiacritics(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .replace(specialPattern, (c) => special[c] ?? c)
    .normalize('NFC');
}
