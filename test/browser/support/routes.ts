import { readFileSync } from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { PROJECT_ROOT } from '../../../libs/core/src/database/data-source';

export interface PortalRoute {
  path: string;
  roles: string[];
}

/**
 * The portal's pages and who may see each, read from the router table itself (`ROUTES` in
 * apps/portal/src/App.tsx): a page added there is visited by the accessibility test without a
 * change to the test. Roles may be string literals, named role arrays, or spreads of them.
 */
export function portalRoutes(file = path.join(PROJECT_ROOT, 'apps', 'portal', 'src', 'App.tsx')): PortalRoute[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const consts = new Map<string, ts.Expression>();
  source.forEachChild(function visit(node) {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) consts.set(node.name.text, node.initializer);
    node.forEachChild(visit);
  });
  const unwrap = (e: ts.Expression): ts.Expression =>
    ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e) ? unwrap(e.expression) : e;
  const strings = (e: ts.Expression): string[] => {
    const x = unwrap(e);
    if (ts.isStringLiteralLike(x)) return [x.text];
    if (ts.isIdentifier(x) && consts.has(x.text)) return strings(consts.get(x.text)!);
    if (ts.isArrayLiteralExpression(x)) return x.elements.flatMap((el) => (ts.isSpreadElement(el) ? strings(el.expression) : strings(el)));
    throw new Error(`App.tsx: cannot read the roles expression ${x.getText(source)}`);
  };
  const table = consts.get('ROUTES');
  if (!table || !ts.isArrayLiteralExpression(unwrap(table))) throw new Error('App.tsx: no ROUTES array');
  return (unwrap(table) as ts.ArrayLiteralExpression).elements.map((el) => {
    if (!ts.isObjectLiteralExpression(el)) throw new Error(`App.tsx: a route that is not an object literal: ${el.getText(source)}`);
    const prop = (name: string) =>
      el.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(source) === name)?.initializer;
    const p = prop('path');
    const roles = prop('roles');
    if (!p || !roles) throw new Error(`App.tsx: a route without path or roles: ${el.getText(source)}`);
    const [pathText] = strings(p);
    return { path: pathText, roles: strings(roles) };
  });
}
