// Mail HTML is hostile. The UI prefers text: htmlToText() turns an HTML body into plain
// text that is rendered as text (never as markup). For the optional "show formatted"
// view, sanitizeHtmlDocument() keeps a small allow-list of formatting tags without any
// attribute that can carry a URL, script or style, and wraps the result in a document
// whose CSP blocks everything; the UI shows it only in an <iframe sandbox="">.

const DROP_WITH_CONTENT =
  /<(script|style|head|title|template|noscript|iframe|frame|frameset|object|embed|applet|svg|math|xml|audio|video|canvas|form|select|button)\b(?:"[^"]*"|'[^']*'|[^'">])*>[\s\S]*?<\/\1\s*>/gi;
const UNCLOSED_DANGER = /<(script|style|iframe|object|embed|svg|math|template|noscript)\b[\s\S]*$/i;
const COMMENT = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<![^>]*>|<\?[\s\S]*?(?:\?>|$)/g;
const TAG = /<\/?([a-zA-Z][\w:-]*)((?:"[^"]*"|'[^']*'|[^'">])*)>/g;

const ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', euro: '€', copy: '©', reg: '®',
  agrave: 'à', aacute: 'á', egrave: 'è', eacute: 'é', igrave: 'ì', iacute: 'í', ograve: 'ò', oacute: 'ó',
  ugrave: 'ù', uacute: 'ú', Agrave: 'À', Egrave: 'È', Eacute: 'É', Igrave: 'Ì', Ograve: 'Ò', Ugrave: 'Ù',
  laquo: '«', raquo: '»', ldquo: '“', rdquo: '”', lsquo: '‘', rsquo: '’', ndash: '–', mdash: '—',
  hellip: '…', deg: '°', middot: '·', bull: '•', ccedil: 'ç', ntilde: 'ñ', uuml: 'ü', ouml: 'ö', auml: 'ä',
};

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);?/g, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      if (!Number.isFinite(cp) || cp <= 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
      return String.fromCodePoint(cp);
    }
    return ENTITIES[e] ?? m;
  });
}

function stripDangerous(html: string): string {
  let s = html.replace(COMMENT, '');
  // Repeat: nested tricks like <scr<script>ipt> reassemble after one pass.
  for (let i = 0; i < 5; i++) {
    const next = s.replace(DROP_WITH_CONTENT, '');
    if (next === s) break;
    s = next;
  }
  return s.replace(UNCLOSED_DANGER, '');
}

/** HTML -> plain text: no markup survives (render the result as text). */
export function htmlToText(html: string): string {
  let s = stripDangerous(html);
  s = s
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n• ')
    .replace(/<\/(p|div|tr|h[1-6]|table|blockquote|pre|section|article|header|footer|ul|ol)\s*>/gi, '\n')
    .replace(/<(p|div|tr|h[1-6]|table|blockquote|pre|hr)\b(?:"[^"]*"|'[^']*'|[^'">])*>/gi, '\n')
    .replace(/<\/t[dh]\s*>/gi, '\t');
  s = s.replace(TAG, '');
  // Whatever still looks like a tag start is text; drop a dangling "<tag" at the end.
  s = s.replace(/<[a-zA-Z!/?][^<>]*$/, '');
  s = decodeEntities(s);
  return s
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const ALLOWED_TAGS = new Set([
  'p', 'br', 'div', 'span', 'b', 'i', 'u', 's', 'strong', 'em', 'ul', 'ol', 'li', 'table', 'thead', 'tbody',
  'tfoot', 'tr', 'td', 'th', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'hr', 'font',
  'center', 'small', 'sub', 'sup', 'a', 'caption', 'dl', 'dt', 'dd',
]);
const VOID_TAGS = new Set(['br', 'hr']);
const ALLOWED_ATTRS = new Set(['align', 'valign', 'colspan', 'rowspan', 'width', 'height', 'color', 'size', 'border', 'cellpadding', 'cellspacing']);
const SAFE_VALUE = /^[\w\s%#.,-]{0,40}$/;
const ATTR = /([a-zA-Z_:][-\w:.]*)\s*(?:=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?/g;

/** The CSP written into the sandboxed document: nothing may load, nothing may run. */
export const FRAME_CSP = "default-src 'none'; form-action 'none'; base-uri 'none'";

function escapeText(s: string): string {
  return s.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Allow-list sanitiser producing a complete, inert document for <iframe sandbox="" srcdoc>. */
export function sanitizeHtmlDocument(html: string): string {
  const s = stripDangerous(html);
  let out = '';
  let last = 0;
  TAG.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TAG.exec(s)) !== null) {
    out += escapeText(s.slice(last, m.index));
    last = TAG.lastIndex;
    const name = m[1].toLowerCase();
    if (!ALLOWED_TAGS.has(name)) continue;
    const closing = m[0][1] === '/';
    if (closing) {
      if (!VOID_TAGS.has(name)) out += `</${name}>`;
      continue;
    }
    let attrs = '';
    ATTR.lastIndex = 0;
    let a: RegExpExecArray | null;
    while ((a = ATTR.exec(m[2])) !== null) {
      const an = a[1].toLowerCase();
      if (!ALLOWED_ATTRS.has(an) || a[2] === undefined) continue;
      const v = a[2].replace(/^["']|["']$/g, '');
      if (SAFE_VALUE.test(v)) attrs += ` ${an}="${v}"`;
    }
    out += `<${name}${attrs}>`;
  }
  out += escapeText(s.slice(last));
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${FRAME_CSP}">` +
    // No <style>: the frame inherits the app's style-src 'self', and needs no styling.
    `</head><body>${out}</body></html>`
  );
}
