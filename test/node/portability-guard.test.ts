/**
 * The firmware core must be plain ECMAScript: `src/`, the HAL contracts and the
 * portable HAL implementations may not import Node built-ins nor touch the host
 * globals that do not exist on XS. This walks each file's syntax tree, so a word
 * in a comment or a property such as `options.process` does not trip it.
 */
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const guardedDirs = ['src', 'hal/portable'];
const guardedFiles = readdirSync(join(root, 'hal'))
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join(root, 'hal', name));

const forbiddenGlobals = new Set([
  'Buffer', 'console', 'process', 'crypto', 'require', 'module', 'global', '__dirname', '__filename',
  'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate',
  'queueMicrotask', 'structuredClone', 'atob', 'btoa', 'fetch', 'performance',
]);
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

function listTs(dir: string): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listTs(path));
    else if (/\.(ts|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (!parent) return true;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (ts.isQualifiedName(parent) && parent.right === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent) ||
      ts.isMethodDeclaration(parent) || ts.isMethodSignature(parent) || ts.isGetAccessor(parent) ||
      ts.isSetAccessor(parent) || ts.isEnumMember(parent)) && parent.name === node) return false;
  if ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) ||
      ts.isClassDeclaration(parent) || ts.isBindingElement(parent)) && parent.name === node) return false;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) return false;
  if (ts.isTypeReferenceNode(parent)) return false;
  return true;
}

export function findViolations(path: string, text: string): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  const violations: string[] = [];
  const where = (node: ts.Node) => `${relative(root, path)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier) && builtins.has(node.moduleSpecifier.text)) {
      violations.push(`${where(node)} imports ${node.moduleSpecifier.text}`);
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteral(arg) && builtins.has(arg.text)) violations.push(`${where(node)} imports ${arg.text}`);
    }
    if (ts.isIdentifier(node) && forbiddenGlobals.has(node.text) && isReference(node)) {
      violations.push(`${where(node)} uses ${node.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return violations;
}

/** Collections a module would only hold to fill at run time: caches, registries. */
const runTimeCollections = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef']);

/**
 * A RegExp made while the module initialises (a literal or `RegExp(...)`
 * outside any function): preloaded, it lives in flash, and XS crashes when
 * such a RegExp runs during a garbage collection (XS bug 4, docs/moddable.md).
 * One made inside a function is made at run time and is fine.
 */
function moduleLevelRegExps(node: ts.Node, found: ts.Node[]): void {
  if (ts.isFunctionLike(node) || ts.isClassStaticBlockDeclaration(node)) return;
  const isRegExpCall = (ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp';
  if (ts.isRegularExpressionLiteral(node) || isRegExpCall) found.push(node);
  ts.forEachChild(node, (child) => moduleLevelRegExps(child, found));
}

/**
 * Module-level state written at run time, which preload-safe code must not
 * have (a preloaded module's state is in flash, read only, and one module's
 * state is shared by every terminal in the process): a top-level `let`/`var`,
 * or a top-level collection (`new Map()`, ...); and a module-level RegExp
 * (above). Tables a module fills once while it initialises (typed arrays of
 * constants) are fine and not flagged.
 */
export function findModuleState(path: string, text: string): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const where = (node: ts.Node) => `${relative(root, path)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  for (const statement of source.statements) {
    const regExps: ts.Node[] = [];
    moduleLevelRegExps(statement, regExps);
    for (const node of regExps) found.push(`${where(node)} module-level RegExp ${node.getText(source)}`);
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    const mutable = !(list.flags & ts.NodeFlags.Const);
    for (const declaration of list.declarations) {
      const name = declaration.name.getText(source);
      if (mutable) found.push(`${where(declaration)} module-level variable ${name}`);
      const init = declaration.initializer;
      if (init && ts.isNewExpression(init) && ts.isIdentifier(init.expression) && runTimeCollections.has(init.expression.text)) {
        found.push(`${where(declaration)} module-level ${init.expression.text} ${name}`);
      }
    }
  }
  return found;
}

describe('portability guard', () => {
  const files = [...guardedFiles, ...guardedDirs.flatMap((d) => listTs(join(root, d)))];

  it('has files to guard', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('finds no Node built-in or host global in src/ and the HAL contracts', () => {
    const violations = files.flatMap((f) => findViolations(f, readFileSync(f, 'utf8')));
    expect(violations).toEqual([]);
  });

  it('finds no module-level state written at run time in src/ and the HAL', () => {
    const found = files.flatMap((f) => findModuleState(f, readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });

  it('catches module-level state and RegExps, and lets constant tables and RegExps made at run time be', () => {
    for (const line of ['let count = 0;', 'var seen;', 'const cache = new Map<string, number>();', 'export const keys = new WeakMap();',
      'const pattern = /^[A-Z]+$/;', "export const rules = { id: new RegExp('x') };", "const re = RegExp('y', 'g');"]) {
      expect(findModuleState(join(root, 'src', 'x.ts'), line), line).toHaveLength(1);
    }
    for (const line of ['const table = new Uint8Array(256);', 'export const limit = 8;', 'function f() { let n = 0; const m = new Map(); return [n, m]; }', 'class A { #m = new Map(); }',
      'export const pattern = (): RegExp => /^[A-Z]+$/;', 'function f(s: string) { return /x/.test(s); }', 'class B { test(s: string) { return new RegExp(s); } }']) {
      expect(findModuleState(join(root, 'src', 'x.ts'), line), line).toEqual([]);
    }
  });

  it('catches what it is meant to catch', () => {
    const bad = [
      "import fs from 'fs';",
      "import { join } from 'node:path';",
      "const c = await import('node:crypto');",
      'console.log(1);',
      'const b = Buffer.from([1]);',
      'setTimeout(() => 0, 1);',
      'const env = process.env;',
      'crypto.getRandomValues(new Uint8Array(4));',
    ];
    for (const line of bad) expect(findViolations(join(root, 'src', 'x.ts'), line)).toHaveLength(1);
    const fine = [
      "import { p256 } from '@noble/curves/nist.js';",
      'const o = { process: 1, console: 2 }; o.process; o.console;',
      '// console.log in a comment, Buffer too',
      "const s = 'setTimeout';",
      'function f(setTimeoutLike: number) { return setTimeoutLike; }',
    ];
    for (const line of fine) expect(findViolations(join(root, 'src', 'x.ts'), line)).toEqual([]);
  });
});
