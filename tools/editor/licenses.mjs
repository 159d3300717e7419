// Copies the licence text of every package in the bundle to
// src/rammegraf/static/LICENSES/ and lists them, with versions, in its README.
// Run by `npm run build` after esbuild (which writes meta.json: what went in).
import { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync, existsSync } from "node:fs";
import { join, dirname } from "node:path";

const out = "../../src/rammegraf/static/LICENSES";
const meta = JSON.parse(readFileSync("meta.json", "utf8"));
const packages = new Set();
for (const input of Object.keys(meta.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) packages.add(m[1]);
}
// the editor's own files only: LICENSES/charts/ belongs to tools/charts/
mkdirSync(out, { recursive: true });
for (const entry of readdirSync(out, { withFileTypes: true })) {
  if (entry.isFile()) rmSync(join(out, entry.name));
}
const lines = [];
for (const name of [...packages].sort()) {
  const dir = join("node_modules", name);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  if (!file) throw new Error(`no licence file in ${name}`);
  const target = name.replace("/", "__").replace("@", "") + ".txt";
  writeFileSync(join(out, target), readFileSync(join(dir, file)));
  lines.push(`${name} ${pkg.version}  ${pkg.license}  ${target}`);
}
writeFileSync(join(out, "README"),
  "Licences of the packages bundled into ../editor.js (CodeMirror 6 and its parts),\n" +
  "written by tools/editor/licenses.mjs at `npm run build`: package, version, licence, file.\n\n" +
  lines.join("\n") + "\n");
console.log(lines.join("\n"));
