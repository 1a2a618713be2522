/**
 * Escaping for the written reports. Scenario, policy and party names and
 * story text come from users' files, so nothing is written unescaped.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in HTML element content and in double- or single-quoted attribute values. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

/**
 * Text safe in a Markdown paragraph, list item or table cell: the
 * punctuation that starts emphasis, code, links or a table column is
 * backslash-escaped, as is a leading character that would start a heading,
 * list or quote; HTML's is written as entities (no raw HTML a renderer would
 * pass through); line breaks become spaces so a table row stays one line.
 * Figures such as `15.0 %` stay as they are.
 */
export const escapeMarkdown = (s: string): string =>
  s
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/[&<>]/g, (c) => HTML_ESCAPES[c] ?? c)
    .replace(/^(\s*)([#+=-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])(?=\s|$)/, '$1\\$2');
