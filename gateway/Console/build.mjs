// Builds the console into dist/ (index.html, app.js, app.css), which the gateway serves at /console/.
// The gateway's build runs this (DirectConnect.Gateway.csproj, target BuildConsole) when a source changed.
// The SDK is bundled from its TypeScript source, so the console needs no SDK build step first.
import * as esbuild from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "dist");
await mkdir(out, { recursive: true });
await esbuild.build({
  entryPoints: { app: join(here, "src", "main.tsx") },
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: "linked",
  outdir: out,
  jsx: "automatic",
  jsxImportSource: "preact",
  alias: { "@directconnect/sdk": join(here, "..", "..", "sdk", "typescript", "src", "index.ts") },
  legalComments: "linked",
  logLevel: "warning",
});
await copyFile(join(here, "src", "index.html"), join(out, "index.html"));
