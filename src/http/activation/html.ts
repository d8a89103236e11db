import { createHash } from 'node:crypto';

/** Text and attribute values, escaped: nothing a person or the directory supplies becomes markup. */
export function esc(value: string | number | null | undefined): string {
  return String(value ?? '').replace(
    /[&<>"'`]/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[ch] ?? ch,
  );
}

/** Markup built by the views; the only type `page()` accepts, so no raw string slips through. */
export class Html {
  constructor(readonly value: string) {}
}

/** A tagged template that escapes every interpolated value unless it is already Html. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    const parts = Array.isArray(v) ? v : [v];
    out += parts.map((p) => (p instanceof Html ? p.value : esc(p as string))).join('');
    out += strings[i + 1] ?? '';
  });
  return new Html(out);
}

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d1f23}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin-top:0}
label{display:block;margin-top:1rem;font-weight:600}
input{box-sizing:border-box;width:100%;padding:.5rem;font:inherit;border:1px solid #888;border-radius:4px}
button{margin-top:1.5rem;width:100%;padding:.6rem;font:inherit;font-weight:600;color:#fff;background:#1f5fbf;border:0;border-radius:4px}
.error{padding:.75rem;border-left:4px solid #b3261e;background:#fdecea}
.ok{padding:.75rem;border-left:4px solid #1e7d32;background:#e8f5e9}
.hint{color:#555;font-size:.9rem}
`;

// Progressive: the forms work without it. It stops a mistyped confirmation before a round trip and
// keeps a double click from submitting twice.
const SCRIPT = `
document.querySelectorAll('form').forEach(function (f) {
  f.addEventListener('submit', function (e) {
    var p = f.querySelector('#password'), c = f.querySelector('#confirm'), m = f.querySelector('#mismatch');
    if (p && c && p.value !== c.value) { e.preventDefault(); if (m) m.hidden = false; c.focus(); return; }
    var b = f.querySelector('button'); if (b) b.disabled = true;
  });
});
var first = document.querySelector('input:not([type=hidden]):not([value]), input[value=""]');
if (first) first.focus();
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * Nothing loads from anywhere, not even this origin, except the one inline style and script (allowed
 * by hash, so an injected one would not run); forms post only here; no page may frame this one.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${sha256(STYLE)}`,
  `script-src ${sha256(SCRIPT)}`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function page(title: string, body: Html): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${esc(title)} – Joinery</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body.value}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
