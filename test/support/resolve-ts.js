/**
 * Preloaded (`-r`) in child processes that run TypeScript through ts-node (test/support/ts-node.ts):
 * a relative `./x.js` specifier, as `nodenext` writes it, falls back to `./x.ts` when no such
 * JavaScript file exists.
 */
const Module = require('module');

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  try {
    return resolve.call(this, request, ...rest);
  } catch (err) {
    if (!/^\.{1,2}\/.*\.js$/.test(request)) throw err;
    return resolve.call(this, `${request.slice(0, -3)}.ts`, ...rest);
  }
};
