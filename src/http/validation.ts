import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
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

/**
 * Each route part's validator is compiled on its first request, not for every route when a process
 * starts (about an eighth of a worker's start-up). Fastify reads a failed validation's `errors` from
 * the function it was given, so they are handed on.
 */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  let compiled: ValidateFunction | undefined;
  const validate = (data: unknown) => {
    compiled ??= (httpPart === 'body' ? bodies : textParts).compile(schema as object);
    const valid = compiled(data);
    validate.errors = compiled.errors;
    return valid;
  };
  validate.errors = undefined as ErrorObject[] | null | undefined;
  return validate;
};
