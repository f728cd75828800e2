// Pulls the ```ts blocks out of a Markdown document, with the line each starts on, so that a
// compile error points at the line to fix. A block's info string may add a tag after the
// language (```ts graphql) for code that needs packages only some apps install: `tags` picks the
// blocks with one of those tags ('' for the untagged ones, the default; '*' for every block).
// `name` is the document's, for errors.
export function extractTsSnippets(markdown, tags = [''], name = 'README.md') {
  const snippets = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const fence = /^```(?:ts|typescript)(?:\s+(\S+))?\s*$/.exec(lines[i]);
    if (!fence) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end += 1;
    if (end === lines.length) throw new Error(`${name} line ${i + 1}: unterminated code block`);
    // `export {}` keeps a snippet without imports a module of its own instead of a script.
    if (tags === '*' || tags.includes(fence[1] ?? '')) {
      snippets.push({ line: i + 1, tag: fence[1] ?? '', code: `${lines.slice(start, end).join('\n')}\nexport {};\n` });
    }
    i = end;
  }
  return snippets;
}

/**
 * The `npm install` lines of the README's Install section, with the line each is on; `command`
 * is the line without its trailing `# comment`, split into words as a shell would (the lines use
 * no quotes).
 */
export function extractInstallLines(markdown) {
  const lines = markdown.split('\n');
  const heading = lines.indexOf('## Install');
  if (heading === -1) throw new Error('README.md has no "## Install" section');
  const found = [];
  for (let i = heading + 1; i < lines.length && !lines[i].startsWith('## '); i += 1) {
    if (!lines[i].startsWith('npm install ')) continue;
    const command = lines[i].replace(/\s+#.*$/, '').trim();
    found.push({ line: i + 1, text: lines[i], words: command.split(/\s+/) });
  }
  return found;
}

/**
 * The README install line that contains `selector`; throws unless exactly one does, so that a
 * README edit that drops or duplicates a line an app relies on fails the matrix by name.
 */
export function pickInstallLine(installLines, selector) {
  const matches = installLines.filter(({ text }) => text.includes(selector));
  if (matches.length !== 1) {
    throw new Error(
      `README.md: ${matches.length} lines of the Install section contain "${selector}", expected exactly one`,
    );
  }
  return matches[0];
}
