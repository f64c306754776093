import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ConsoleAsset {
  body: Buffer;
  type: string;
  /** A strong validator (RFC 9110 §8.8.3) from the content, so a release invalidates caches. */
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** One file's body, type and validator. @param extension one of the served extensions */
export function consoleAsset(body: string | Buffer, extension: string): ConsoleAsset {
  const bytes = Buffer.from(body);
  const etag = `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
  return { body: bytes, type: TYPES[extension]!, etag };
}

/**
 * Every file of the console, read once at start-up and keyed by its path under assets/: the asset
 * route serves only these keys, so no request path ever reaches the file system.
 */
export function loadConsoleAssets(): Map<string, ConsoleAsset> {
  const root = fileURLToPath(new URL('./assets/', import.meta.url));
  const assets = new Map<string, ConsoleAsset>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || TYPES[extname(entry.name)] === undefined) continue;
    const path = join(entry.parentPath, entry.name);
    assets.set(
      relative(root, path).split(sep).join('/'),
      consoleAsset(readFileSync(path), extname(entry.name)),
    );
  }
  return assets;
}
