/**
 * Babel plugin for jest only (jest.config.js). NestJS 12's ES modules reach packages through
 * `createRequire(import.meta.url)`; once converted to CommonJS they must use the module's own
 * `require` instead, which jest provides, so every package stays in jest's module registry (one
 * class-validator, one metadata store). `const require = createRequire(…)` is dropped, and any
 * other `createRequire(…)` call becomes `require`.
 */
module.exports = function useJestRequire({ types: t }) {
  const isCreateRequire = (node) =>
    node?.type === 'CallExpression' && node.callee.type === 'Identifier' && node.callee.name === 'createRequire';
  return {
    name: 'use-jest-require',
    visitor: {
      VariableDeclarator(path) {
        const { id, init } = path.node;
        if (id.type !== 'Identifier' || id.name !== 'require' || !isCreateRequire(init)) return;
        if (path.parentPath.node.declarations.length === 1) path.parentPath.remove();
        else path.remove();
      },
      CallExpression(path) {
        if (isCreateRequire(path.node)) path.replaceWith(t.identifier('require'));
      },
    },
  };
};
