// Draws formulas for generator/site/katex.py: argv[2] is katex.min.js; each stdin line is a JSON list of
// [TeX, display] pairs, answered by one stdout line: a JSON list of [KaTeX's HTML, its error or null].
"use strict";
const katex = require(process.argv[2]);
const lines = require("readline").createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const drawn = JSON.parse(line).map(([tex, display]) => {
    try {
      return [katex.renderToString(tex, { displayMode: display, throwOnError: true }), null];
    } catch (error) {  // drawn anyway (the TeX in red, the reason as its tooltip); the build reports it
      return [katex.renderToString(tex, { displayMode: display, throwOnError: false }), String(error.message)];
    }
  });
  process.stdout.write(JSON.stringify(drawn) + "\n");
});
