// Bundles the page (spec/web.md) into the server's wwwroot/: src/app.js with its imports
// (@noble/curves, @noble/hashes) into one app.js, and copies index.html and app.css.
// Usage: node build.mjs [OUTPUT_DIR] (default ../src/DarkMail.Directory.Server/wwwroot/).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2] ?? new URL('../src/DarkMail.Directory.Server/wwwroot/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['src/app.js'],
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  legalComments: 'eof',
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
});
copyFileSync('src/index.html', join(out, 'index.html'));
copyFileSync('src/app.css', join(out, 'app.css'));
