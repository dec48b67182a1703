// Render $…$ math (pymdownx.arithmatex, generic mode) with the vendored KaTeX; no network.
(function () {
  function render() {
    if (typeof renderMathInElement !== "function") return;
    document.querySelectorAll(".arithmatex").forEach(function (el) {
      renderMathInElement(el, {
        delimiters: [
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: true }
        ],
        throwOnError: false
      });
    });
  }
  if (window.document$) { window.document$.subscribe(render); } else { document.addEventListener("DOMContentLoaded", render); }
})();
// Printing a single page: open every collapsible block so answers and paths are on paper too.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details").forEach(function (d) { d.open = true; });
});
