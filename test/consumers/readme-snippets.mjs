// Pulls the ```ts blocks out of a Markdown document, with the line each starts on, so that a
// compile error points at the README line to fix.
export function extractTsSnippets(markdown) {
  const snippets = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end += 1;
    if (end === lines.length) throw new Error(`README.md line ${i + 1}: unterminated code block`);
    // `export {}` keeps a snippet without imports a module of its own instead of a script.
    snippets.push({ line: i + 1, code: `${lines.slice(start, end).join('\n')}\nexport {};\n` });
    i = end;
  }
  return snippets;
}
