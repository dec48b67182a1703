// Draws formulas for generator/site/katex.py: argv[2] is katex.min.js; each stdin line is a JSON list of
// [TeX, display] pairs, answered by one stdout line: a JSON list of [KaTeX's HTML, what KaTeX objected to or null].
"use strict";
const katex = require(process.argv[2]);
const lines = require("readline").createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const drawn = JSON.parse(line).map(([tex, display]) => {
    const objections = [];  // LaTeX-incompatible input KaTeX draws anyway (it would only print them to the console)
    const strict = (code, message) => { objections.push(`${message} [${code}]`); return "ignore"; };
    try {
      const html = katex.renderToString(tex, { displayMode: display, throwOnError: true, strict });
      return [html, objections.length ? objections.join("; ") : null];
    } catch (error) {  // drawn anyway (the TeX in red, the reason as its tooltip); the build reports it
      return [katex.renderToString(tex, { displayMode: display, throwOnError: false }), String(error.message)];
    }
  });
  process.stdout.write(JSON.stringify(drawn) + "\n");
});
