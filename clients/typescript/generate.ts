import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

/** Where the generated types live, relative to the repository root. */
export const SCHEMA_PATH = 'clients/typescript/schema.d.ts';
/** The document they are generated from. */
export const OPENAPI_PATH = 'docs/openapi.json';

/**
 * The TypeScript types of the API (`paths`, `components`, `operations`) from the text of
 * docs/openapi.json, with openapi-typescript. Deterministic, so a test can regenerate them in memory
 * and fail when the committed file is stale.
 */
export async function renderClientSchema(openapiText: string): Promise<string> {
  const ast = await openapiTS(openapiText, { silent: true });
  const note = `// Generated from ${OPENAPI_PATH} by \`npm run docs:client\`: do not edit by hand.\n\n`;
  return `${COMMENT_HEADER}${note}${astToString(ast)}`;
}
