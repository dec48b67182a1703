// Render math still in TeX (an `arithmatex` span: the flashcards' answers, a page built without
// generator/site/katex.py) with the vendored KaTeX, loaded only then (about 300 KB that most pages never need).
// Pages' own formulas are drawn when the site is built and need none of this.
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
// A table wider than the screen scrolls sideways in Material's wrapper: make such a wrapper a named stop for the
// keyboard (Tab to it, then the arrow keys scroll it), as Material does for wide code blocks.
(function () {
  function reachable() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap, i) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        var heading = wrap.previousElementSibling;  // named after the section it stands in: regions need distinct names
        while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
        var title = heading ? heading.textContent.replace(/[¶#]\s*$/, "").trim() : "";
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "表格 " + (i + 1) + (title ? "：" + title : "") + "（可左右滚动）");
      } else if (!scrolls && wrap.getAttribute("role") === "region") {
        ["tabindex", "role", "aria-label"].forEach(function (name) { wrap.removeAttribute(name); });
      }
    });
  }
  function later() { requestAnimationFrame(reachable); }
  if (window.document$) { window.document$.subscribe(later); } else { document.addEventListener("DOMContentLoaded", later); }
  var timer = null;
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(reachable, 200); });
})();
