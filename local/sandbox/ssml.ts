/**
 * A small well-formedness check for SSML, enough for what Polly refuses: one root `<speak>`
 * element (after an optional XML declaration and comments), balanced and properly nested tags,
 * quoted attributes, no stray `<`, and `&` only as an entity. It does not check which SSML tags
 * or attributes exist. Answers undefined when the document is well formed, else why it is not.
 */

const NAME = /[A-Za-z_][\w.:-]*/y;
const ATTRIBUTES = /^(?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*$/;
const ENTITY = /^&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);/;

export function ssmlProblem(document: string): string | undefined {
  const stack: string[] = [];
  let rootSeen = false;
  let rootClosed = false;
  let i = 0;

  const text = (chunk: string): string | undefined => {
    if (chunk.trim() === '') return undefined;
    if (!rootSeen || rootClosed) return 'text outside the <speak> element';
    for (let at = chunk.indexOf('&'); at !== -1; at = chunk.indexOf('&', at + 1)) {
      if (!ENTITY.test(chunk.slice(at))) return `an unescaped '&' at "${chunk.slice(at, at + 12)}"`;
    }
    return undefined;
  };

  // Optional XML declaration.
  const declaration = /^\s*<\?xml\b[^?]*\?>/.exec(document);
  if (declaration) i = declaration[0].length;

  while (i < document.length) {
    const lt = document.indexOf('<', i);
    const problem = text(lt === -1 ? document.slice(i) : document.slice(i, lt));
    if (problem) return problem;
    if (lt === -1) break;

    if (document.startsWith('<!--', lt)) {
      const end = document.indexOf('-->', lt + 4);
      if (end === -1) return 'an unterminated comment';
      i = end + 3;
      continue;
    }
    if (document.startsWith('<![CDATA[', lt)) {
      if (!rootSeen || rootClosed) return 'CDATA outside the <speak> element';
      const end = document.indexOf(']]>', lt + 9);
      if (end === -1) return 'an unterminated CDATA section';
      i = end + 3;
      continue;
    }
    const gt = document.indexOf('>', lt);
    if (gt === -1) return `an unterminated tag at "${document.slice(lt, lt + 20)}"`;
    const tag = document.slice(lt + 1, gt);
    if (tag.includes('<')) return `an unterminated tag at "${document.slice(lt, lt + 20)}"`;

    const closing = tag.startsWith('/');
    NAME.lastIndex = closing ? 1 : 0;
    const name = NAME.exec(tag)?.[0];
    if (!name) return `a malformed tag <${tag}>`;
    const rest = tag.slice((closing ? 1 : 0) + name.length);

    if (closing) {
      if (rest.trim() !== '') return `a malformed closing tag </${name}${rest}>`;
      const open = stack.pop();
      if (open === undefined) return `a closing </${name}> without its opening tag`;
      if (open !== name) return `<${open}> closed by </${name}>`;
      if (stack.length === 0) rootClosed = true;
    } else {
      const selfClosing = rest.endsWith('/');
      const attributes = selfClosing ? rest.slice(0, -1) : rest;
      if (!ATTRIBUTES.test(attributes)) return `malformed attributes in <${name}${rest}>`;
      if (stack.length === 0) {
        if (rootSeen) return 'more than one root element';
        if (name !== 'speak') return `the root element is <${name}>, not <speak>`;
        rootSeen = true;
        if (selfClosing) rootClosed = true;
      }
      if (!selfClosing) stack.push(name);
    }
    i = gt + 1;
  }

  if (!rootSeen) return 'no <speak> element';
  if (stack.length > 0) return `<${stack[stack.length - 1]}> is never closed`;
  return undefined;
}
