/* The charts' Plotly: the app's partial bundle instead of Dash's full one, loaded while the page's
 * first request is on the server, and the world map's shapes fetched beside it.
 *
 * Dash's graph loads Plotly, when the first graph is drawn, from the address in
 * window._dashPlotlyJSURL, which Dash's renderer sets to its full 4.8 MB bundle (under a
 * version-less address, revalidated on every page). The page's meta tag "salespulse-plotly" names
 * the partial bundle npm ci built (bar, scatter, scattergeo; salespulse.web.assetversions) at an
 * address carrying its version, kept by the browser: this pins window._dashPlotlyJSURL to it, so
 * that the renderer's own setting is ignored.
 *
 * A page opened by its address comes drawn with the layout (web/ui/first_page.py): its graphs
 * mount as soon as the layout arrives, and Plotly, loaded only then, would be compiled after it.
 * So the bundle is loaded once the page has loaded (the renderer has asked for the layout by then),
 * and window.Plotly holds the promise of it meanwhile: Dash's graph waits for
 * `Promise.resolve(window.Plotly || <its own script>)`, so a graph mounted before the bundle has run
 * waits for this load instead of adding the script a second time. The bundle, when it runs, sets
 * window.Plotly to itself.
 *
 * The same for the map: Plotly fetches a map's shapes only once the map draws, then draws it
 * again. The meta tag "salespulse-topojson" names the world map's default shapes at their
 * versioned address; fetched beside the bundle, they are handed to Plotly (PlotlyGeoAssets) before
 * the map draws. If they arrive late, Plotly fetches them itself, as before.
 *
 * Charts below the first screen are drawn when they come near it (200 px ahead of the scroll), not
 * while the page loads: Sales Overview has seven charts and a map, and about four fit on a laptop's
 * first screen. Dash's graph draws with Plotly.react and waits for its promise, so a chart's first
 * react waits for an IntersectionObserver; a newer figure for a chart still waiting replaces the
 * waiting one (both promises resolve with the one draw). Charts already drawn update at once.
 * Printing draws every waiting chart first (`beforeprint`). The graph's height comes with the
 * layout (web/ui/render.py), so an undrawn chart takes its place and the page does not jump.
 *
 * Without the meta tags (no bundle built) nothing changes. Static files, so the
 * Content-Security-Policy needs nothing for them.
 */
(function () {
  "use strict";
  var content = function (name) {
    var meta = document.querySelector('meta[name="' + name + '"]');
    return meta && meta.getAttribute("content");
  };
  var url = content("salespulse-plotly");
  if (!url) return;
  Object.defineProperty(window, "_dashPlotlyJSURL", {
    configurable: false,
    get: function () {
      return url;
    },
    set: function () {},
  });

  // A chart's first draw waits until it comes near the screen (see above).
  var drawWhenSeen = function (Plotly) {
    if (!Plotly || typeof Plotly.react !== "function" || !window.IntersectionObserver) return Plotly;
    var react = Plotly.react;
    var waiting = new Map(); // graph div -> {args, resolvers}
    var draw = function (gd) {
      var entry = waiting.get(gd);
      if (!entry) return;
      waiting.delete(gd);
      observer.unobserve(gd);
      var drawn = Promise.resolve(react.apply(Plotly, entry.args));
      entry.resolvers.forEach(function (resolve) {
        resolve(drawn);
      });
    };
    var margin = 200;
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) draw(entry.target);
        });
      },
      { rootMargin: margin + "px 0px" }
    );
    var near = function (gd) {
      var box = gd.getBoundingClientRect();
      var height = window.innerHeight || document.documentElement.clientHeight;
      return box.bottom >= -margin && box.top <= height + margin && (box.width > 0 || box.height > 0);
    };
    Plotly.react = function (gd) {
      var args = Array.prototype.slice.call(arguments);
      if (!(gd instanceof Element)) return react.apply(Plotly, args);
      waiting.forEach(function (_, other) {
        if (!other.isConnected) {
          waiting.delete(other); // its page was left before it was drawn
          observer.unobserve(other);
        }
      });
      var entry = waiting.get(gd);
      if (entry) {
        entry.args = args; // a newer figure for a chart not drawn yet: draw that one
        return new Promise(function (resolve) {
          entry.resolvers.push(resolve);
        });
      }
      if (gd._fullLayout || near(gd)) return react.apply(Plotly, args);
      return new Promise(function (resolve) {
        waiting.set(gd, { args: args, resolvers: [resolve] });
        observer.observe(gd);
      });
    };
    window.addEventListener("beforeprint", function () {
      Array.from(waiting.keys()).forEach(draw);
    });
    return Plotly;
  };

  var loading = new Promise(function (resolve, reject) {
    var start = function () {
      var script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.onload = function () {
        resolve(drawWhenSeen(window.Plotly));
      };
      script.onerror = function (error) {
        if (window.Plotly === loading) window.Plotly = undefined;
        reject(error);
      };
      document.head.appendChild(script);
    };
    if (document.readyState === "complete") start();
    else window.addEventListener("load", start, { once: true });
  });
  window.Plotly = loading;

  var shapes = content("salespulse-topojson");
  if (shapes && window.fetch) {
    var name = content("salespulse-topojson-name");
    fetch(shapes, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (topojson) {
        if (!topojson || !name) return;
        var assets = (window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} });
        assets.topojson = assets.topojson || {};
        if (assets.topojson[name] === undefined) assets.topojson[name] = topojson;
      })
      .catch(function () {});
  }
})();
