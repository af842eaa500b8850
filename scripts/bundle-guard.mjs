// Refuses a bundle in which code reads a named export of a CommonJS package that
// the bundle can only give as `default`.
//
// Why: with code splitting, esbuild turns `import('ajv')` of a CommonJS package
// into a chunk that holds only `export default require_ajv();`. Under Node's own
// loader the same import also has named exports (Node guesses them from the
// source), so `(await import('ajv')).Ajv` works in the TypeScript sources and in
// every test that runs them, and is `undefined` in the shipped CLI. Static
// imports do not have this problem: esbuild links `import { X } from 'cjs'`
// straight to the module (`__toESM(require_x()).X`), never through the chunk.
//
// How: esbuild's metafile says which chunks are entry chunks of a CommonJS
// module with only `default` exported, and which inputs `import()` that module
// under which specifier. Each such input is parsed (TypeScript's parser, a dev
// dependency the build already needs) and every `import(specifier)` is followed
// to the names read from its namespace. Reading anything but `default`, or
// using the namespace in a way this cannot follow, is a problem.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/**
 * @typedef {{ file: string, line: number, column: number, specifier: string, module: string, chunk: string, read: string }} GuardProblem
 * `read` is the export name read, or a description of a use that cannot be followed.
 */

/**
 * Every read of a named export through a default-only CommonJS chunk.
 * @param {import('esbuild').Metafile} metafile
 * @param {string} root esbuild's absWorkingDir: metafile paths are relative to it
 * @returns {GuardProblem[]}
 */
export function checkCommonJsChunks(metafile, root) {
  const chunkOf = new Map();
  for (const [output, meta] of Object.entries(metafile.outputs)) {
    if (!meta.entryPoint) continue;
    const input = metafile.inputs[meta.entryPoint];
    const defaultOnly = meta.exports.length === 1 && meta.exports[0] === 'default';
    if (input?.format === 'cjs' && defaultOnly) chunkOf.set(meta.entryPoint, output);
  }
  const problems = [];
  if (chunkOf.size === 0) return problems;
  for (const [file, input] of Object.entries(metafile.inputs)) {
    const specifiers = new Map();
    for (const imp of input.imports) {
      if (imp.kind === 'dynamic-import' && chunkOf.has(imp.path) && imp.original) specifiers.set(imp.original, imp.path);
    }
    if (specifiers.size === 0) continue;
    const text = readFileSync(join(root, file), 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    for (const call of dynamicImports(source)) {
      const specifier = call.arguments[0].text;
      const entry = specifiers.get(specifier);
      if (!entry) continue;
      const { line, character } = source.getLineAndCharacterOfPosition(call.getStart(source));
      for (const read of readsOf(call)) {
        if (read === 'default') continue;
        problems.push({ file, line: line + 1, column: character + 1, specifier, module: packagePath(entry), chunk: chunkOf.get(entry), read });
      }
    }
  }
  return problems;
}

/** One line per problem, saying what to do. */
export function describeProblem(p) {
  const what = p.read.startsWith('(') ? `uses import('${p.specifier}') ${p.read.slice(1, -1)}` : `reads "${p.read}" from import('${p.specifier}')`;
  const built = /^dist\/(.+)\.js$/.exec(p.file);
  return (
    `${p.file}:${p.line}:${p.column}${built ? ` (built from src/${built[1]}.ts)` : ''}: ${what}, but ${p.module} is CommonJS and the bundle's chunk ` +
    `${p.chunk.split('/').pop()} exports only default (its module.exports). ` +
    `Read it from default, e.g. (await import('${p.specifier}')).default${p.read.startsWith('(') ? '.name' : `.${p.read}`}, or make the package external.`
  );
}

/** `import('literal')` calls, in source order. */
function dynamicImports(source) {
  const found = [];
  const visit = (node) => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) found.push(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const cannotFollow = (how) => [`(${how})`];

/** The names read from the namespace an `import()` call resolves to. */
function readsOf(call) {
  let node = call;
  let awaited = false;
  for (;;) {
    const p = node.parent;
    if (ts.isParenthesizedExpression(p)) node = p;
    else if (ts.isAwaitExpression(p)) {
      if (awaited) break;
      node = p;
      awaited = true;
    } else break;
  }
  if (awaited) return readsOfValue(node);
  const p = node.parent;
  // import(x).then((m) => …)
  if (ts.isPropertyAccessExpression(p) && p.expression === node && p.name.text === 'then' && ts.isCallExpression(p.parent) && p.parent.expression === p) {
    const cb = p.parent.arguments[0];
    if (cb && (ts.isArrowFunction(cb) || ts.isFunctionExpression(cb))) return cb.parameters.length === 0 ? [] : readsOfBinding(cb.parameters[0].name, cb.body);
    return cannotFollow('with a .then() whose callback is not a function written there');
  }
  // const [a, b] = await Promise.all([import(x), import(y)])
  if (ts.isArrayLiteralExpression(p) && isPromiseAll(p.parent) && p.parent.arguments[0] === p) {
    const index = p.elements.indexOf(node);
    let all = p.parent;
    while (ts.isParenthesizedExpression(all.parent)) all = all.parent;
    if (ts.isAwaitExpression(all.parent) && ts.isVariableDeclaration(all.parent.parent) && all.parent.parent.initializer === all.parent) {
      const pattern = all.parent.parent.name;
      if (ts.isArrayBindingPattern(pattern)) {
        const element = pattern.elements[index];
        if (!element || ts.isOmittedExpression(element)) return [];
        if (element.dotDotDotToken) return cannotFollow('in a rest element of Promise.all');
        return readsOfBinding(element.name, scopeOf(all.parent.parent));
      }
    }
    return cannotFollow('inside a Promise.all whose result is not destructured');
  }
  return cannotFollow('without awaiting it where it is called');
}

function isPromiseAll(node) {
  return (
    node && ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) &&
    ts.isIdentifier(node.expression.expression) && node.expression.expression.text === 'Promise' && node.expression.name.text === 'all'
  );
}

/** `node` evaluates to the namespace object. */
function readsOfValue(node) {
  const p = node.parent;
  if (ts.isPropertyAccessExpression(p) && p.expression === node) return [p.name.text];
  if (ts.isElementAccessExpression(p) && p.expression === node) {
    return ts.isStringLiteralLike(p.argumentExpression) ? [p.argumentExpression.text] : cannotFollow('with a computed property');
  }
  if (ts.isVariableDeclaration(p) && p.initializer === node) return readsOfBinding(p.name, scopeOf(p));
  return cannotFollow('as a whole value');
}

/** What a binding of the namespace (a destructuring or a name) reads from it. */
function readsOfBinding(name, scope) {
  if (ts.isObjectBindingPattern(name)) {
    const names = [];
    for (const el of name.elements) {
      if (el.dotDotDotToken) return cannotFollow('with a ...rest destructuring');
      const key = el.propertyName ?? el.name;
      if (ts.isIdentifier(key) || ts.isStringLiteralLike(key)) names.push(key.text);
      else return cannotFollow('with a computed destructuring key');
    }
    return names;
  }
  if (ts.isIdentifier(name)) {
    const names = [];
    for (const ref of referencesTo(name, scope)) {
      const p = ref.parent;
      if (ts.isPropertyAccessExpression(p) && p.expression === ref) names.push(p.name.text);
      else if (ts.isElementAccessExpression(p) && p.expression === ref && ts.isStringLiteralLike(p.argumentExpression)) names.push(p.argumentExpression.text);
      else return cannotFollow(`through "${name.text}" as a whole value`);
    }
    return names;
  }
  return cannotFollow('with an array destructuring');
}

function scopeOf(declaration) {
  return ts.findAncestor(declaration.parent, (n) => ts.isBlock(n) || ts.isSourceFile(n) || ts.isFunctionLike(n)) ?? declaration.getSourceFile();
}

/** Identifiers in `scope` that refer to `name` (shadowing is not resolved: a false hit only makes the guard stricter). */
function referencesTo(name, scope) {
  const refs = [];
  const visit = (node) => {
    if (ts.isIdentifier(node) && node !== name && node.text === name.text && isReference(node)) refs.push(node);
    ts.forEachChild(node, visit);
  };
  visit(scope);
  return refs;
}

function isReference(id) {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p) && p.name === id) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p)) && p.name === id) return false;
  if (ts.isBindingElement(p) && p.propertyName === id) return false;
  return true;
}

/** `…/node_modules/ajv/dist/ajv.js` -> `ajv/dist/ajv.js`. */
function packagePath(path) {
  const i = path.lastIndexOf('node_modules/');
  return i === -1 ? path : path.slice(i + 'node_modules/'.length);
}
