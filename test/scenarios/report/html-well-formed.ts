/**
 * A strict well-formedness check for the HTML the report writes: every
 * element closed in order (void elements and `/>` excepted), every attribute
 * value quoted, no `<` in text and no `&` that does not start an entity.
 * `<script>` and `<style>` bodies are raw text and are skipped. Stricter than
 * HTML requires, which is the point: the writer's output must not depend on
 * a browser's error recovery.
 */

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)((?:\s+[a-zA-Z_:][a-zA-Z0-9_:.-]*(?:="[^"]*"|='[^']*')?)*)\s*(\/?)>/y;
const ENTITY = /^&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);/;

/** The problems found, empty for a well-formed document. */
export function wellFormedProblems(html: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let i = html.startsWith('<!DOCTYPE html>') ? '<!DOCTYPE html>'.length : 0;
  if (i === 0) problems.push('no <!DOCTYPE html>');
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    checkText(html.slice(i, lt === -1 ? html.length : lt), i, problems);
    if (lt === -1) break;
    TAG.lastIndex = lt;
    const m = TAG.exec(html);
    if (m === null) {
      problems.push(`malformed tag at ${lt}: ${html.slice(lt, lt + 40)}`);
      break;
    }
    const [whole, close, rawName, , selfClose] = m;
    const name = (rawName ?? '').toLowerCase();
    i = lt + whole.length;
    if (close === '/') {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> at ${lt} closes <${open ?? 'nothing'}>`);
    } else if (name === 'script' || name === 'style') {
      const end = html.indexOf(`</${name}>`, i);
      if (end === -1) problems.push(`<${name}> at ${lt} is never closed`);
      i = end === -1 ? html.length : end + `</${name}>`.length;
    } else if (selfClose !== '/' && !VOID.has(name)) stack.push(name);
  }
  if (stack.length > 0) problems.push(`not closed: ${stack.join(' > ')}`);
  return problems;
}

function checkText(text: string, at: number, problems: string[]): void {
  for (let k = text.indexOf('&'); k !== -1; k = text.indexOf('&', k + 1)) {
    if (!ENTITY.test(text.slice(k))) problems.push(`bare & at ${at + k}: ${text.slice(k, k + 20)}`);
  }
  if (text.includes('>')) problems.push(`bare > in text at ${at}: ${text.slice(0, 40)}`);
}
