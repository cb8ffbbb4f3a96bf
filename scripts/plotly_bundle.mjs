// Builds the web dashboard's Plotly: a partial bundle of plotly.js with only the trace types the
// charts draw (bar, scatter, scattergeo; src/salespulse/web/ui/charts.py), 1.3 MB instead of the
// 4.8 MB full bundle Dash would load, so each page compiles and starts less code.
//
//     node scripts/plotly_bundle.mjs           # run by `npm ci` (package.json "postinstall")
//
// Input: plotly.js's own sources and esbuild, pinned in package-lock.json (the same plotly.js
// version the installed Python plotly ships: the app refuses a bundle of another version and then
// serves Dash's full one). Output: src/salespulse/web/assets/vendor/plotly.min.js (git-ignored),
// headed with its version and traces; the app serves it as /assets/vendor/plotly.min.js?v=<hash>.
// Nothing is fetched: everything comes from node_modules.
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "src", "salespulse", "web", "assets", "vendor", "plotly.min.js");
// scatter is part of plotly.js's core; the others are registered below
const TRACES = ["bar", "scatter", "scattergeo"];
const require = createRequire(join(ROOT, "package.json"));
const esbuild = require("esbuild");
const plotly = JSON.parse(readFileSync(require.resolve("plotly.js/package.json"), "utf8"));

const registered = TRACES.filter((name) => name !== "scatter")
  .map((name) => `require("plotly.js/lib/${name}")`)
  .join(", ");
const entry = `var Plotly = require("plotly.js/lib/core");
Plotly.register([${registered}]);
module.exports = Plotly;`;

// plotly.js builds a search index of every country's names and aliases (country-iso-search) as soon
// as it starts, for maps located by country name; the charts place their points by latitude and
// longitude. The same lookup, built on its first use instead: saves that work on every page load.
const COUNTRY_SEARCH = require.resolve("country-iso-search");
const lazyCountryLookup = {
  name: "lazy-country-lookup",
  setup(build) {
    build.onResolve({ filter: /^country-iso-search$/ }, (args) =>
      args.importer.endsWith("geo_location_utils.js") ? { path: "lazy", namespace: "lazy-country-lookup" } : null,
    );
    build.onLoad({ filter: /.*/, namespace: "lazy-country-lookup" }, () => ({
      resolveDir: ROOT,
      contents: `
        // createLookup([...COUNTRIES, ...more]): COUNTRIES is empty here and the real list is added
        // when the lookup is first used (and only then is the real module, and its index, loaded)
        exports.COUNTRIES = [];
        exports.createLookup = function (more) {
          var made = null;
          function lookup() {
            if (!made) {
              var real = require(${JSON.stringify(COUNTRY_SEARCH)});
              made = real.createLookup(real.COUNTRIES.concat(more));
            }
            return made;
          }
          return {
            lookup: function (name) { return lookup().lookup(name); },
            lookupAlpha3: function (name) { return lookup().lookupAlpha3(name); },
          };
        };`,
    }));
  },
};

mkdirSync(dirname(OUT), { recursive: true });
await esbuild.build({
  stdin: { contents: entry, resolveDir: ROOT, sourcefile: "plotly-partial.js" },
  outfile: OUT,
  bundle: true,
  minify: true,
  format: "iife",
  globalName: "Plotly",
  target: "es2016",
  // as plotly.js's own build (esbuild-config.js): browser globals, no AMD; its one stylesheet
  // (maplibre's, for map traces this bundle has not) is left out
  define: { global: "window", "define.amd": "false", "process.env.NODE_DEBUG": "false" },
  loader: { ".css": "empty" },
  legalComments: "none",
  plugins: [lazyCountryLookup],
  banner: {
    js: `/* plotly.js v${plotly.version} (MIT, Plotly, Inc.), partial bundle: ${TRACES.join(", ")}. ` +
      "Built by scripts/plotly_bundle.mjs: do not edit. */",
  },
  logLevel: "warning",
});
console.log(`plotly.js ${plotly.version} (${TRACES.join(", ")}) -> ${OUT}`);
