import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Runs a TypeScript entry point (the API's main.ts, a script) in a child process without a build:
 * ts-node transpiles to CommonJS as tsc does, `.js` specifiers find their `.ts` files, and the
 * `disty-source` condition points the package's `#disty/<module>` imports at libs' sources instead of
 * dist/ (package.json "imports", docs/architecture.md §7).
 */
export function tsNodeCommand(entry: string, ...args: string[]): { argv: string[]; env: Record<string, string> } {
  return {
    argv: [
      '--conditions=disty-source',
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      path.join(__dirname, 'resolve-ts.js'),
      path.join(ROOT, entry),
      ...args,
    ],
    // tsconfig.json's "ts-node" section: CommonJS output; resolve-ts.js maps `./x.js` to `./x.ts`.
    env: { TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json') },
  };
}
