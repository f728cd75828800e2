// Jest's module resolution, with one exception: @fastify/static (which mercurius loads)
// requires content-disposition 3, an ES module. Node 20.19+ loads it with require(esm); Jest's
// own loader cannot before Node 24.9, so @fastify/static gets a shim that loads it with Node's.
const path = require('node:path');

const STATIC_DIR = `${path.sep}node_modules${path.sep}@fastify${path.sep}static${path.sep}`;

module.exports = (request, options) =>
  request === 'content-disposition' && `${options.basedir}${path.sep}`.includes(STATIC_DIR)
    ? require.resolve('./content-disposition.cjs')
    : options.defaultResolver(request, options);
