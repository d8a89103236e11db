const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

/**
 * The HTML part, made from the finished plain text: every character escaped (so a name like
 * `<b>Bob</b>` shows as typed), one paragraph per blank-line block, line breaks kept. Only the links
 * we were handed (the activation URL) become anchors; URLs in people's data never do, so an HR field
 * cannot plant a clickable link.
 */
export function textToHtml(text: string, options: { lang: string; links: readonly string[] }): string {
  const links = options.links.filter((l) => /^https?:\/\/\S+$/i.test(l)).map(escapeHtml);
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => {
      let html = p.split('\n').map(escapeHtml).join('<br>\n');
      for (const link of links) html = html.replaceAll(link, `<a href="${link}">${link}</a>`);
      return `<p>${html}</p>`;
    });
  return `<!doctype html>\n<html lang="${escapeHtml(options.lang)}"><body>\n${paragraphs.join('\n')}\n</body></html>\n`;
}
