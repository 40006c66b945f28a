/**
 * The error statuses each function's handler can answer, read from the code rather than written
 * down: the route coverage test (test/infra/openapi.test.ts) checks the document against them.
 *
 * From the handler's entry point, it follows the runtime imports (not `import type`) through
 * `shared/`, and within each module the top-level declarations each one refers to. A declaration
 * answers a status when it throws `new HttpError(<status>, …)`, a `ValidationError` (400),
 * `invalidSessionToken` (401), or a domain error that the error handler maps to a status
 * (shared/http/error-handler.ts, read the same way); and every status of what it calls. Every
 * handler can answer 500. The error handler's own mapping is not followed: it answers only what
 * was thrown.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FUNCTIONS, type FunctionName } from '../bundling.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ERROR_HANDLER = 'shared/http/error-handler.ts';

/** Comments and string contents out, so a word in either is not taken for code. */
function codeOf(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1')
    .replace(/'(?:[^'\\\n]|\\.)*'/g, "''")
    .replace(/`(?:[^`\\]|\\.)*`/g, '``');
}

interface Module {
  file: string;
  /** Top-level declarations: name → code. */
  declarations: Map<string, string>;
  /** Imported local names → [module file, exported name]. */
  imports: Map<string, [string, string]>;
}

function resolveImport(from: string, specifier: string): string | undefined {
  if (specifier.startsWith('#shared/')) return `shared/${specifier.slice('#shared/'.length)}`;
  if (specifier.startsWith('#functions/')) return `functions/${specifier.slice('#functions/'.length)}`;
  if (specifier.startsWith('.'))
    return path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  return undefined;
}

const DECLARATION = /^(?:export\s+)?(?:async\s+)?(?:function\*?|const|let|class)\s+([A-Za-z_$][\w$]*)/;

function readModule(file: string): Module {
  const source = readFileSync(path.join(ROOT, file), 'utf8');
  const imports = new Map<string, [string, string]>();
  for (const match of source.matchAll(/^import\s+(?!type\s)([\s\S]*?)\s+from\s+'([^']+)';/gm)) {
    const [, clause = '', specifier = ''] = match;
    const target = resolveImport(file, specifier);
    if (target === undefined || !target.endsWith('.ts')) continue;
    const named = /\{([\s\S]*)\}/.exec(clause)?.[1] ?? '';
    for (const part of named.split(',')) {
      const item = part.trim();
      if (item === '' || item.startsWith('type ')) continue;
      const [exported = '', local = exported] = item.split(/\s+as\s+/);
      imports.set(local.trim(), [target, exported.trim()]);
    }
  }
  // Dynamic imports (`import('#functions/…')`) are followed as a whole module.
  for (const match of source.matchAll(/import\('([^']+)'\)/g)) {
    const target = resolveImport(file, match[1] ?? '');
    if (target?.endsWith('.ts')) imports.set(`*${target}`, [target, '*']);
  }
  const declarations = new Map<string, string>();
  const lines = codeOf(source).split('\n');
  let current: string | undefined;
  for (const line of lines) {
    const name = DECLARATION.exec(line)?.[1];
    if (name !== undefined) {
      current = name;
      declarations.set(name, '');
    }
    if (current !== undefined) declarations.set(current, `${declarations.get(current)}${line}\n`);
  }
  return { file, declarations, imports };
}

/** The error handler's mapping: a domain error class → the status it is answered with. */
function domainErrorStatuses(): Map<string, number> {
  const mapping = new Map<string, number>();
  const code = codeOf(readFileSync(path.join(ROOT, ERROR_HANDLER), 'utf8'));
  const body = /export function toHttpError[\s\S]*?\n}\n/.exec(code)?.[0] ?? '';
  for (const match of body.matchAll(/instanceof\s+(\w+)\)([\s\S]*?)(?=instanceof|return undefined)/g)) {
    const [, name = '', answer = ''] = match;
    const status =
      /HttpError\(\s*(\d{3})/.exec(answer)?.[1] ?? (/invalidSessionToken/.test(answer) ? '401' : undefined);
    if (status !== undefined) mapping.set(name, Number(status));
  }
  return mapping;
}

/** The statuses one declaration answers by itself. */
function directStatuses(code: string, domainErrors: Map<string, number>): number[] {
  const statuses = [...code.matchAll(/new HttpError\(\s*(\d{3})/g)].map((match) => Number(match[1]));
  if (/new ValidationError\(/.test(code)) statuses.push(400);
  if (/\binvalidSessionToken\(/.test(code)) statuses.push(401);
  for (const [name, status] of domainErrors)
    if (new RegExp(`new ${name}\\(`).test(code)) statuses.push(status);
  return statuses;
}

const identifiers = (code: string) => new Set(code.match(/[A-Za-z_$][\w$]*/g) ?? []);

/** The error statuses the function's handler can answer (500 included), in ascending order. */
export function handlerStatuses(functionName: FunctionName): number[] {
  const domainErrors = domainErrorStatuses();
  const modules = new Map<string, Module>();
  const moduleOf = (file: string) => {
    let module = modules.get(file);
    if (module === undefined) {
      module = readModule(file);
      modules.set(file, module);
    }
    return module;
  };
  const statuses = new Set<number>([500]);
  const seen = new Set<string>();
  const pending: [string, string][] = [[FUNCTIONS[functionName], 'handler']];
  while (pending.length > 0) {
    const [file, name] = pending.pop() as [string, string];
    const key = `${file}#${name}`;
    if (seen.has(key) || file === ERROR_HANDLER) continue;
    seen.add(key);
    const module = moduleOf(file);
    const codes = name === '*' ? [...module.declarations.values()] : [module.declarations.get(name) ?? ''];
    for (const code of codes) {
      for (const status of directStatuses(code, domainErrors)) statuses.add(status);
      for (const word of identifiers(code)) {
        if (word !== name && module.declarations.has(word)) pending.push([file, word]);
        const imported = module.imports.get(word);
        if (imported !== undefined) pending.push(imported);
      }
      for (const [local, target] of module.imports)
        if (local.startsWith('*') && name === '*') pending.push(target);
    }
    if (name !== '*')
      for (const [local, target] of module.imports) if (local.startsWith('*')) pending.push(target);
  }
  return [...statuses].sort((a, b) => a - b);
}
