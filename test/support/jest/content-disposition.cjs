// content-disposition as @fastify/static resolves it, loaded by Node's own require, which loads
// ES modules on Node 20.19+ (see resolver.cjs).
const { createRequire } = require('node:module');

module.exports = createRequire(require.resolve('@fastify/static'))('content-disposition');
