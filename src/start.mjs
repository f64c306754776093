// The process entry. Node's compile cache (in the system temporary directory) is switched on before
// the first TypeScript module loads, so a restart neither type-strips nor compiles the service's
// modules again and never loads the type stripper itself, about 20 MB in every process. This file is
// JavaScript because a .ts entry would need the stripper to run at all.
import { enableCompileCache } from 'node:module';

enableCompileCache();
await import('./main.ts');
