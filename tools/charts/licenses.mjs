// Copies the licence text of every package in the chart bundle to
// src/rammegraf/static/LICENSES/charts/ and lists them, with versions, in its README.
// Run by `npm run build` after esbuild (which writes meta.json: what went in).
//
// Two packages ship a build file that already holds other packages' code, so esbuild
// reads no file of those: vega-embed's build/embed.js inlines fast-json-patch (which
// itself copies fast-deep-equal, MIT, with its notice in fast-json-patch's source) and
// semver; d3-delaunay's dist inlines delaunator and robust-predicates. Their licences
// go along too, found by a line of their code in the inlining file: a new version
// that stops inlining (or starts inlining something else) fails here, to be looked at.
import { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const out = "../../src/rammegraf/static/LICENSES/charts";
const INLINED = {
  "vega-embed": { file: "build/embed.js", packages: { "fast-json-patch": "Starcounter-Jack/JSON-Patch",
                                                       semver: "semver.org version of the spec" } },
  "d3-delaunay": { file: "dist/d3-delaunay.mjs", packages: { delaunator: "new Delaunator(",
                                                             "robust-predicates": "fast_expansion_sum_zeroelim" } },
};
const meta = JSON.parse(readFileSync("meta.json", "utf8"));
const packages = new Map();   // name -> how it went in
for (const input of Object.keys(meta.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/);
  if (!m) continue;
  packages.set(m[1], "");
  const inlining = INLINED[m[1]];
  if (inlining && inlining.file === m[2]) {
    const code = readFileSync(input, "utf8");
    for (const [name, mark] of Object.entries(inlining.packages)) {
      if (!code.includes(mark)) throw new Error(`${m[1]} no longer seems to inline ${name}: look again`);
      packages.set(name, `  (inlined in ${m[1]}'s ${inlining.file})`);
    }
  }
}
for (const [name, inlining] of Object.entries(INLINED)) {
  if (!packages.has(name)) throw new Error(`${name} is not in the bundle any more: look at INLINED again`);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const lines = [];
for (const name of [...packages.keys()].sort()) {
  const dir = join("node_modules", name);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  if (!file) throw new Error(`no licence file in ${name}`);
  const target = name.replace("/", "__").replace("@", "") + ".txt";
  writeFileSync(join(out, target), readFileSync(join(dir, file)));
  lines.push(`${name} ${pkg.version}  ${pkg.license}  ${target}${packages.get(name)}`);
}
writeFileSync(join(out, "README"),
  "Licences of the packages bundled into ../../vega.js (Vega, Vega-Lite, vega-embed and their parts),\n" +
  "written by tools/charts/licenses.mjs at `npm run build`: package, version, licence, file.\n\n" +
  lines.join("\n") + "\n");
console.log(lines.join("\n"));
