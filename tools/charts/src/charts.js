// What rammegraf's pages need to draw a chart, bundled by esbuild into
// src/rammegraf/static/vega.js as the global `RammegrafCharts`: vega-embed (which
// brings Vega-Lite and Vega) and Vega's expression interpreter. The pages' policy
// has no 'unsafe-eval', so expressions are parsed to an AST and interpreted
// (vega-embed's `ast: true`), never compiled with `new Function`. How a page's
// chart is drawn is ours: src/rammegraf/static/charts.js.
export { default as embed } from "vega-embed";
export { expressionInterpreter } from "vega-interpreter";
export { version as vegaVersion, loader } from "vega";
export { version as vegaLiteVersion } from "vega-lite";
