import { type SerializerFactory, SerializerSelector } from '@fastify/fast-json-stringify-compiler';

const compilers = SerializerSelector();

/**
 * Fastify's own response serializers (fast-json-stringify), each compiled on the route's first
 * answer with that status rather than for every route when a process starts: compiling them all
 * took about a sixth of a worker's start-up, for routes a process may never answer.
 */
export const lazySerializers: SerializerFactory = (externalSchemas, options) => {
  const compile = compilers(externalSchemas, options);
  return (route) => {
    let serialize: ((doc: unknown) => string) | undefined;
    return (doc) => {
      serialize ??= compile(route);
      return serialize(doc);
    };
  };
};
