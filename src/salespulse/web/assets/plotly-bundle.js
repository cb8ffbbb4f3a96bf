/* The charts' Plotly: the app's partial bundle instead of Dash's full one.
 *
 * Dash's graph loads Plotly, when the first graph is drawn, from the address in
 * window._dashPlotlyJSURL, which Dash's renderer sets to its full 4.8 MB bundle (under a
 * version-less address, revalidated on every page). The page's meta tag "salespulse-plotly" names
 * the partial bundle npm ci built (bar, scatter, scattergeo; salespulse.web.assetversions) at an
 * address carrying its version, kept by the browser: this pins window._dashPlotlyJSURL to it, so
 * that the renderer's own setting is ignored. Without the meta tag (no bundle built) nothing
 * changes. Loaded lazily as before, it is compiled while the page's first callback is on the
 * server. A static file, so the Content-Security-Policy needs nothing for it.
 */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="salespulse-plotly"]');
  var url = meta && meta.getAttribute("content");
  if (!url) return;
  Object.defineProperty(window, "_dashPlotlyJSURL", {
    configurable: false,
    get: function () {
      return url;
    },
    set: function () {},
  });
})();
