// The options' derived text, written from their declaration (the options classes of
// libs/candescent-auth/src/options, see module.options.ts): the public interfaces
// (candescent-auth.options.ts) and the reference (docs/options.md).
//   node scripts/options-reference.mjs           rewrite both (npm run options:update)
//   node scripts/options-reference.mjs --check   fail when either is stale, or an option lacks its
//                                                docs or its default/optional/required marker
//   node scripts/options-reference.mjs --json    print the declaration as read
// It reads the sources (no build needed): types and TSDoc as written, defaults as their literal.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'libs/candescent-auth/src/options');
const DECLARATION_FILES = [
  'institution-fields.ts',
  'module.options.ts',
  'session.options.ts',
  'resilience.options.ts',
  'redis.options.ts',
];
const ROOT_CLASS = 'CandescentAuthModuleOptionsDto';
const EXTRAS = {
  file: 'libs/candescent-auth/src/candescent-auth.module-definition.ts',
  name: 'CandescentAuthModuleExtras',
};
const INTERFACES = path.join(dir, 'candescent-auth.options.ts');
const REFERENCE = path.join(root, 'docs/options.md');

const parse = (file) => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);

/** The TSDoc of a node: its text (tags included, as written) and its tags by name. */
function tsdoc(node, source) {
  const ranges = ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? [];
  const last = ranges.filter((r) => source.text.startsWith('/**', r.pos)).at(-1);
  if (!last) return { text: '', tags: {} };
  const body = source.text
    .slice(last.pos + 3, last.end - 2)
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, '').trimEnd())
    .join('\n')
    .trim();
  const [lead, ...tagged] = body.split(/\n(?=@\w)|^(?=@\w)/);
  const tags = {};
  for (const part of body.startsWith('@') ? [lead, ...tagged] : tagged) {
    const [, name, rest] = /^@(\w+)\s*([\s\S]*)$/.exec(part) ?? [];
    if (name) tags[name] = rest.trim();
  }
  return { text: body, lead: body.startsWith('@') ? '' : lead.trim(), tags };
}

/** The object literal argument of a decorator call, as `{ key: source text }`. */
function literalArgument(node) {
  const fields = {};
  if (!node || !ts.isObjectLiteralExpression(node)) return fields;
  for (const property of node.properties) {
    if (ts.isPropertyAssignment(property)) fields[property.name.getText()] = property.initializer;
  }
  return fields;
}

const stringOf = (node) =>
  node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;

/** How a default is shown: its literal without digit separators, or the words given for a computed one. */
function defaultShown(option) {
  if (option.defaultText !== undefined) return option.defaultText;
  return option.default.replace(/(\d)_(?=\d)/g, '$1');
}

/** Every options class of the declaration files: its properties, their types, TSDoc and markers. */
function readDeclaration() {
  const classes = new Map();
  const imports = new Map();
  for (const file of DECLARATION_FILES) {
    const source = parse(path.join(dir, file));
    for (const node of source.statements) {
      if (
        ts.isImportDeclaration(node) &&
        node.importClause?.namedBindings &&
        ts.isNamedImports(node.importClause.namedBindings)
      ) {
        for (const element of node.importClause.namedBindings.elements)
          imports.set(element.name.text, node.moduleSpecifier.text);
      }
      if (!ts.isClassDeclaration(node) || !node.name) continue;
      const implemented = node.heritageClauses?.flatMap((clause) => clause.types.map((type) => type.getText()))[0];
      const options = [];
      for (const member of node.members) {
        if (!ts.isPropertyDeclaration(member)) continue;
        const option = {
          name: member.name.getText(),
          type: member.type?.getText() ?? 'unknown',
          optionalType: Boolean(member.questionToken),
          doc: tsdoc(member, source),
        };
        for (const decorator of ts.getDecorators(member) ?? []) {
          const call = decorator.expression;
          if (!ts.isCallExpression(call)) continue;
          const callee = call.expression.getText();
          if (callee !== 'Option' && callee !== 'Nested') continue;
          const spec = literalArgument(call.arguments[callee === 'Option' ? 0 : 1]);
          if (callee === 'Nested') {
            const body = call.arguments[0]?.body;
            option.nested = body?.getText();
            option.each = spec.each?.getText() === 'true';
            if (!spec.optional && !spec.required) option.default = '{}';
          }
          if (spec.default) option.default = spec.default.getText();
          if (spec.defaultText) option.defaultText = stringOf(spec.defaultText);
          if (spec.optional) option.optional = true;
          if (spec.required) option.required = stringOf(spec.required) ?? true;
        }
        options.push(option);
      }
      classes.set(node.name.text, { name: node.name.text, doc: tsdoc(node, source), implemented, options, file });
    }
  }
  return { classes, imports };
}

/** The public name of an options class: the interface it implements, or its own name without `Dto`. */
const publicName = (type) => type.implemented ?? type.name.replace(/Dto$/, '');

/** The groups as they sit in the options object: `''`, `institutions[].`, `retry.`, ... */
function groups(classes) {
  const found = [];
  const visit = (name, paths) => {
    const type = classes.get(name);
    if (!type) throw new Error(`${name}: no options class of that name in ${DECLARATION_FILES.join(', ')}`);
    const known = found.find((group) => group.type === type);
    if (known) return known.paths.push(...paths);
    found.push({ type, paths });
    for (const option of type.options.filter((o) => o.nested)) {
      visit(
        option.nested,
        paths.map((p) => `${p}${option.name}${option.each ? '[]' : ''}.`),
      );
    }
  };
  visit(ROOT_CLASS, ['']);
  return found;
}

/** What each option lacks: docs, or the marker that says whether it may be left out. */
function problems(classes) {
  const found = [];
  for (const type of classes.values()) {
    for (const option of type.options) {
      const where = `${type.name}.${option.name}`;
      if (!option.doc.lead) found.push(`${where}: no TSDoc saying what it does`);
      const markers = [option.default !== undefined, option.optional, option.required !== undefined].filter(Boolean);
      if (markers.length !== 1)
        found.push(
          `${where}: exactly one of default, optional, required in its @Option/@Nested (has ${markers.length})`,
        );
      if (option.default?.startsWith('(') && option.defaultText === undefined)
        found.push(`${where}: a computed default needs defaultText`);
    }
  }
  return found;
}

const publicType = (text, classes) =>
  text.replace(/\b\w+Dto\b/g, (name) => (classes.has(name) ? publicName(classes.get(name)) : name));

/** TSDoc as a comment block at `indent`, with `extra` tag lines. */
function comment(text, indent, extra = []) {
  const lines = [...(text ? text.split('\n') : []), ...extra];
  if (lines.length === 0) return '';
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((line) => `${indent} *${line ? ` ${line}` : ''}`).join('\n')}\n${indent} */\n`;
}

function interfacesSource({ classes, imports }) {
  let body = '';
  for (const { type } of groups(classes)) {
    if (type.implemented) continue;
    body += `\n${comment(type.doc.text, '')}export interface ${publicName(type)} {\n`;
    for (const option of type.options) {
      const extra = [];
      if (typeof option.required === 'string') extra.push(`Required ${option.required}.`);
      if (option.default !== undefined && option.default !== '{}')
        extra.push(`@default ${defaultShown(option).replace(/`/g, '')}`);
      const optional = option.optionalType ? '?' : '';
      body += `${body.endsWith('{\n') ? '' : '\n'}${comment(option.doc.text, '  ', extra)}  ${option.name}${optional}: ${publicType(option.type, classes)};\n`;
    }
    body += '}\n';
  }
  const defaulted = groups(classes)
    .filter(({ type }) => !type.implemented)
    .map(({ type }) => {
      const names = type.options.filter((o) => o.default !== undefined).map((o) => `'${o.name}'`);
      return `  ${publicName(type)}: ${names.join(' | ') || 'never'};`;
    });
  body += `
/**
 * The options of each interface that have a default (merged in before validation): what the
 * module's types of the merged options read. Not part of the public API.
 */
export interface DefaultedOptions {
${defaulted.join('\n')}
}
`;
  const used = new Map();
  for (const [name, from] of imports) {
    if (classes.has(name) || !new RegExp(`\\b${name}\\b`).test(body)) continue;
    used.set(from, [...(used.get(from) ?? []), name]);
  }
  const importLines = [...used]
    .map(([from, names]) => `import type { ${names.sort().join(', ')} } from '${from}';`)
    .join('\n');
  return `// Generated by scripts/options-reference.mjs from the options' declaration (module.options.ts and
// the files beside it). Do not edit: change the declaration and run \`npm run options:update\`.
${importLines}
${body}`;
}

const cell = (text) => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
const code = (text) => `\`${text.replace(/\s*\n\s*/g, ' ')}\``;

function docCell(doc) {
  let text = doc.lead;
  if (doc.tags.deprecated !== undefined) text += ` **Deprecated:** ${doc.tags.deprecated}`;
  if (doc.tags.example !== undefined) text += ` Example: ${code(doc.tags.example)}.`;
  return cell(text);
}

function defaultCell(option, paths) {
  if (option.nested) return option.default === '{}' ? `see \`${paths[0]}${option.name}\`` : 'none';
  if (option.required !== undefined) return option.required === true ? 'required' : `required ${option.required}`;
  if (option.optional) return 'none';
  return cell(option.defaultText ?? code(defaultShown(option)));
}

function table(rows) {
  const lines = ['| option | type | default | what it does |', '| --- | --- | --- | --- |'];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

function referenceSource({ classes }) {
  const sections = [];
  for (const { type, paths } of groups(classes)) {
    const heading = paths[0] === '' ? '`forRoot` options' : paths.map((p) => `\`${p.slice(0, -1)}\``).join(', ');
    const rows = type.options.map((option) => [
      code(`${paths[0]}${option.name}`),
      cell(code(publicType(option.type, classes))),
      defaultCell(option, paths),
      docCell(option.doc),
    ]);
    sections.push(`## ${heading}\n\n${cell(type.doc.lead)}\n\n${table(rows)}`);
  }
  const extras = parse(path.join(root, EXTRAS.file));
  const switches = extras.statements.find((node) => ts.isInterfaceDeclaration(node) && node.name.text === EXTRAS.name);
  const rows = switches.members.map((member) => {
    const doc = tsdoc(member, extras);
    return [code(member.name.getText()), cell(code(member.type.getText())), cell(code(doc.tags.default)), docCell(doc)];
  });
  sections.push(`## Module switches\n\n${cell(tsdoc(switches, extras).lead)}\n\n${table(rows)}`);
  return `# Options

Every option of \`CandescentAuthModule.forRoot()\` (and of the factory of \`forRootAsync()\`), by
group. Defaults are merged in before the options are validated; an invalid set stops the
application with one \`CandescentConfigurationError\` naming every bad field and what it must be.

<!-- Generated by scripts/options-reference.mjs from the options' declaration
(libs/candescent-auth/src/options/module.options.ts and the files beside it). Do not edit:
change the declaration and run \`npm run options:update\`. -->

${sections.join('\n\n')}
`;
}

async function formatted(file, text) {
  const config = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...config, filepath: file });
}

const declaration = readDeclaration();
const mode = process.argv[2] ?? '--write';
if (mode === '--json') {
  const out = groups(declaration.classes).map(({ type, paths }) => ({
    class: type.name,
    interface: publicName(type),
    paths,
    options: type.options.map(({ name, doc, default: given, defaultText, optional, required }) => ({
      name,
      doc: doc.lead,
      default: given,
      defaultText,
      optional,
      required,
    })),
  }));
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  process.exit(0);
}
const missing = problems(declaration.classes);
if (missing.length > 0) {
  console.error(`options declaration: ${missing.length} problem(s):\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
const outputs = [
  [INTERFACES, await formatted(INTERFACES, interfacesSource(declaration))],
  [REFERENCE, await formatted(REFERENCE, referenceSource(declaration))],
];
let stale = 0;
for (const [file, text] of outputs) {
  const relative = path.relative(root, file);
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // Not written yet.
  }
  if (current === text) continue;
  if (mode === '--check') {
    stale += 1;
    console.error(`${relative} is stale: run npm run options:update and commit it`);
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${relative}`);
  }
}
process.exit(stale === 0 ? 0 : 1);
