/**
 * The import rules of docs/architecture.md, checked on the TypeScript import graph (type-only
 * imports included, which bundlers drop but readers follow): no cycle between files or between
 * folders, `functions → shared` and never back, no `aws-cdk-lib` in runtime code, and the AWS SDK
 * only in `shared/aws/` (infra may use it too: it creates the local tables and queues). And every
 * export of `shared/` carries a JSDoc saying why it exists (STYLE.md habit 16).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RUNTIME_ROOTS = ['shared', 'functions'];
const ALL_ROOTS = [...RUNTIME_ROOTS, 'infra'];

function sourceFiles(root: string): string[] {
  return readdirSync(path.join(ROOT, root), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));
}

/** Every module a file imports: project files by their path, packages by their name. */
function importsOf(file: string): { files: string[]; packages: string[] } {
  const { importedFiles } = ts.preProcessFile(readFileSync(path.join(ROOT, file), 'utf8'), true, true);
  const files: string[] = [];
  const packages: string[] = [];
  for (const { fileName } of importedFiles) {
    if (fileName.startsWith('.')) files.push(path.join(path.dirname(file), fileName));
    else if (fileName.startsWith('#shared/'))
      files.push(path.join('shared', fileName.slice('#shared/'.length)));
    else if (fileName.startsWith('#functions/'))
      files.push(path.join('functions', fileName.slice('#functions/'.length)));
    else packages.push(fileName);
  }
  return { files, packages };
}

const files = ALL_ROOTS.flatMap(sourceFiles);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

/** Strongly connected components with more than one member (Tarjan): the cycles. */
function cycles(edges: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indexOf.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node) ?? 0, indexOf.get(next) ?? 0));
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of edges.keys()) if (!indexOf.has(node)) visit(node);
  return found;
}

const folderOf = (file: string) => path.dirname(file);

describe('the import graph', () => {
  it('reads every runtime file and its imports', () => {
    expect(files.filter((file) => file.startsWith('shared/')).length).toBeGreaterThan(40);
    expect(graph.get('functions/bulk-email-api/handler.ts')?.files.length).toBeGreaterThan(2);
  });

  it('has no import cycle between files', () => {
    const edges = new Map([...graph].map(([file, { files: targets }]) => [file, new Set(targets)]));
    expect(cycles(edges)).toEqual([]);
  });

  it('has no import cycle between folders of runtime code', () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, { files: targets }] of graph) {
      if (!RUNTIME_ROOTS.some((root) => file.startsWith(`${root}/`))) continue;
      const from = folderOf(file);
      const set = edges.get(from) ?? new Set<string>();
      for (const target of targets) if (folderOf(target) !== from) set.add(folderOf(target));
      edges.set(from, set);
    }
    expect(cycles(edges)).toEqual([]);
  });

  it('imports one way: shared never imports functions or infra, runtime code never aws-cdk-lib', () => {
    const wrong: string[] = [];
    for (const [file, { files: targets, packages }] of graph) {
      if (file.startsWith('shared/')) {
        for (const target of targets)
          if (!target.startsWith('shared/')) wrong.push(`${file} imports ${target}`);
      }
      if (RUNTIME_ROOTS.some((root) => file.startsWith(`${root}/`))) {
        for (const name of packages)
          if (name === 'aws-cdk-lib' || name.startsWith('aws-cdk-lib/') || name === 'constructs')
            wrong.push(`${file} imports ${name}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('sends AWS SDK commands only from shared/aws/ (and infra)', () => {
    const wrong = [...graph]
      .filter(([file]) => RUNTIME_ROOTS.some((root) => file.startsWith(`${root}/`)))
      .filter(([file]) => !file.startsWith('shared/aws/'))
      .flatMap(([file, { packages }]) =>
        packages.filter((name) => name.startsWith('@aws-sdk/')).map((name) => `${file} imports ${name}`),
      );
    expect(wrong).toEqual([]);
  });
});

const isExported = (statement: ts.Statement) =>
  ts.isExportDeclaration(statement) ||
  ts.isExportAssignment(statement) ||
  (ts.canHaveModifiers(statement) &&
    (ts.getModifiers(statement) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword));

/** What a reader would look for: the declared name(s), else the statement's first line. */
function exportedName(statement: ts.Statement): string {
  if (ts.isVariableStatement(statement))
    return statement.declarationList.declarations.map((declaration) => declaration.name.getText()).join(', ');
  if (
    (ts.isFunctionDeclaration(statement) ||
      ts.isClassDeclaration(statement) ||
      ts.isInterfaceDeclaration(statement) ||
      ts.isTypeAliasDeclaration(statement) ||
      ts.isEnumDeclaration(statement)) &&
    statement.name !== undefined
  )
    return statement.name.text;
  return statement.getText().split('\n')[0] ?? '';
}

describe('the exports of shared/', () => {
  it('documents every export of shared/ with JSDoc', () => {
    const shared = files.filter((file) => file.startsWith('shared/'));
    const undocumented: string[] = [];
    let exports = 0;
    for (const file of shared) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
      for (const statement of source.statements) {
        if (!isExported(statement)) continue;
        exports += 1;
        // TypeScript attaches a variable statement's JSDoc to its first declaration.
        const documented = ts.isVariableStatement(statement)
          ? statement.declarationList.declarations[0]
          : statement;
        if (documented === undefined || ts.getJSDocCommentsAndTags(documented).length === 0)
          undocumented.push(`${file}: ${exportedName(statement)}`);
      }
    }
    expect(exports).toBeGreaterThan(300);
    expect(undocumented).toEqual([]);
  });
});
