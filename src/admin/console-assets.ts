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
};

/**
 * Every file of the console, read once at start-up and keyed by its path under assets/: the asset
 * route serves only these keys, so no request path ever reaches the file system.
 */
export function loadConsoleAssets(): Map<string, ConsoleAsset> {
  const root = fileURLToPath(new URL('./assets/', import.meta.url));
  const assets = new Map<string, ConsoleAsset>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const type = TYPES[extname(entry.name)];
    if (!entry.isFile() || type === undefined) continue;
    const path = join(entry.parentPath, entry.name);
    const body = readFileSync(path);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    assets.set(relative(root, path).split(sep).join('/'), { body, type, etag });
  }
  return assets;
}
