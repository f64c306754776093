import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

function ajv(options: Options): Ajv {
  const instance = new Ajv({
    allErrors: true,
    useDefaults: true,
    removeAdditional: false,
    strict: false,
    ...options,
  });
  addFormats.default(instance);
  return instance;
}

// Bodies are taken exactly as sent: no type coercion and no silent removal of unknown fields, so a
// wrong type or an unknown field is a 422 rather than a guess. Query strings, paths and headers are
// text by nature and are coerced to the declared types.
const bodies = ajv({ coerceTypes: false });
const textParts = ajv({ coerceTypes: 'array' });

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodies : textParts).compile(schema as object);
