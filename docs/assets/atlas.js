// Render $…$ math (pymdownx.arithmatex, generic mode) with the vendored KaTeX, loaded only by pages that have math
// (about 300 KB of script and style that most pages never need); no network.
(function () {
  var assets = document.currentScript ? document.currentScript.src.replace(/[^/]*$/, "") : "assets/";
  var loading = null;
  function load() {
    if (loading) return loading;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = assets + "vendor/katex/katex.min.css";
    document.head.appendChild(css);
    function script(name) {
      return new Promise(function (resolve, reject) {
        var el = document.createElement("script");
        el.src = assets + "vendor/katex/" + name;
        el.onload = resolve;
        el.onerror = reject;
        document.head.appendChild(el);
      });
    }
    loading = script("katex.min.js").then(function () { return script("auto-render.min.js"); });
    return loading;
  }
  function render() {
    var math = document.querySelectorAll(".arithmatex");
    if (!math.length) return;
    var options = {
      delimiters: [
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true }
      ],
      throwOnError: false
    };
    load().then(function () {
      var i = 0;
      (function batch() {  // a few formulas at a time, so a page full of math never blocks input for long
        for (var end = Math.min(i + 8, math.length); i < end; i++) renderMathInElement(math[i], options);
        if (i < math.length) setTimeout(batch, 0);
      })();
    });
  }
  if (window.document$) { window.document$.subscribe(render); } else { document.addEventListener("DOMContentLoaded", render); }
})();
// Printing a single page: open every collapsible block so answers and paths are on paper too.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details").forEach(function (d) { d.open = true; });
});
