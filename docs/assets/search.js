// Offline search in the header's search box, and highlighting of the searched words on the page a result opens.
// The index (search/search_index.js, built by generator/outputs/search.py) is a script that assigns a global, added
// on the first focus of the box: it loads from file:// and over http alike, and no page carries it before that.
// The text rules (normalize, chunks, parts, pattern) and the ranking follow generator/views/searchtext.py and
// generator/outputs/search.py rule for rule; tests/test_search.py holds the two to the same answers.
(function () {
  "use strict";

  // ---- text rules ---------------------------------------------------------------------------------------------
  var CJK = "\u3400-\u9fff\uf900-\ufaff";
  var CJK_CHAR = new RegExp("[" + CJK + "]");
  var PART = new RegExp("-?[a-z0-9][a-z0-9+#_.\\-]*|[" + CJK + "]+", "g");
  var SPLIT = /[\s,;，。、；：？！（）()“”"'《》|]+/;
  var TRIM = /^(?:[._]|-(?![a-z0-9]))+|[._\-]+$/g;
  var SYNTAX = "\\^$.|?*+()[]{}/";
  var STOP = "的了和与及是在中之或把被";
  var MAX_WORD = 8;

  function normalize(text) {
    return text.replace(/[\uff01-\uff5e]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
    }).replace(/\u3000/g, " ").toLowerCase();
  }
  function trim(term) { return term.replace(TRIM, ""); }
  function chunks(query) {
    return normalize(query).split(SPLIT).map(trim).filter(Boolean);
  }
  function isCjk(text) { return CJK_CHAR.test(text); }
  function segmentCjk(run, vocabulary) {
    var best = [[0, 0]];
    for (var end = 1; end <= run.length; end++) {
      var choice = [best[end - 1][0] + 1, end - 1];
      for (var start = Math.max(0, end - MAX_WORD); start < end - 1; start++) {
        if (vocabulary.has(run.slice(start, end))) {
          var option = [best[start][0] + (end - start) * (end - start), start];
          if (option[0] > choice[0] || (option[0] === choice[0] && option[1] > choice[1])) choice = option;
        }
      }
      best[end] = choice;
    }
    var pieces = [];
    for (var e = run.length; e; e = best[e][1]) pieces.unshift(run.slice(best[e][1], e));
    return pieces;
  }
  function parts(chunk, vocabulary) {
    var out = [];
    (chunk.match(PART) || []).forEach(function (piece) {
      if (!isCjk(piece)) { out.push(trim(piece)); return; }
      var loose = "";
      segmentCjk(piece, vocabulary).forEach(function (word) {
        if (word.length === 1 && !vocabulary.has(word)) { loose += word; return; }
        if (loose) { out.push(loose); loose = ""; }
        out.push(word);
      });
      if (loose) out.push(loose);
    });
    var result = out.filter(function (p) { return p && STOP.indexOf(p) < 0 && p !== chunk; });
    return result.length > 1 ? result : [];
  }
  function kind(ch) {
    if (CJK_CHAR.test(ch)) return "c";
    return (ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9") ? "w" : "p";
  }
  function pattern(term) {
    var out = kind(term[0]) === "w" ? "(?<![a-z0-9])" : "";
    for (var i = 0; i < term.length; i++) {
      var ch = term[i];
      if (i && (kind(ch) !== kind(term[i - 1]) || kind(ch) === "p")) out += "\\s*";
      out += SYNTAX.indexOf(ch) >= 0 ? "\\" + ch : ch;
    }
    return out;
  }
  function aliasPattern(alias) {
    var tail = /[a-z0-9]$/.test(alias) ? "(?![a-z0-9])" : "";
    return alias.split(/[\s\-]+/).map(pattern).join("[\\s\\-]*") + tail;
  }
  var regexes = new Map();
  function regex(term) {
    var re = regexes.get(term);
    if (!re) { re = new RegExp(pattern(term), "g"); regexes.set(term, re); }
    re.lastIndex = 0;
    return re;
  }
  function has(term, text) { return !!text && regex(term).test(text); }
  function count(term, text) { return text ? (text.match(regex(term)) || []).length : 0; }

  // ---- ranking ------------------------------------------------------------------------------------------------
  var TITLE = 100, EN = 70, PINYIN = 60, INITIALS = 50, HEAD = 50, SUB = 30, HEAD_PINYIN = 25, SHARE = 20;
  var PARTIAL = 0.5;

  function Engine(data) {
    this.pages = data.pages.map(function (p) {
      return { url: p[0], title: p[1], en: p[2], nTitle: normalize(p[1]), nEn: normalize(p[2]), pinyin: p[3],
               initials: p[4], syllables: p[5].split(" "), docs: [] };
    });
    var pages = this.pages;
    this.docs = data.docs.map(function (d) {
      var doc = { page: d[0], anchor: d[1], heading: d[2], text: d[4], nHeading: normalize(d[2]),
                  nSubs: normalize(d[3]), nText: normalize(d[4]), pinyin: d[5], initials: d[6] };
      pages[d[0]].docs.push(doc);
      return doc;
    });
    this.vocabulary = new Set(data.vocabulary);
    this.synonyms = data.synonyms;
  }
  function body(n) { return n ? 8 + 4 * Math.sqrt(Math.min(n, 25)) : 0; }
  function pinyinTerm(term) { return /^[a-z]{2,}$/.test(term); }
  function share(term, whole) { return Math.min(1, term.length / Math.max(1, whole.length)); }
  function titleScore(page, term) {
    if (has(term, page.nTitle)) return TITLE + SHARE * share(term, page.nTitle);
    if (has(term, page.nEn)) return EN + SHARE * share(term, page.nEn);
    if (pinyinTerm(term) && page.pinyin.indexOf(term) >= 0) return PINYIN + SHARE * share(term, page.pinyin);
    if (pinyinTerm(term) && page.initials.indexOf(term) >= 0) return INITIALS + SHARE * share(term, page.initials);
    return 0;
  }
  function headScore(doc, term) {
    if (has(term, doc.nHeading)) return HEAD;
    if (has(term, doc.nSubs)) return SUB;
    if (pinyinTerm(term) && term.length >= 3 &&
        (doc.pinyin.indexOf(term) >= 0 || doc.initials.indexOf(term) >= 0)) return HEAD_PINYIN;
    return 0;
  }
  // The characters of a title a pinyin term stands for (hhs or hongheishu -> 红黑树), to mark them.
  function pinyinWord(page, term) {
    var syl = page.syllables;
    for (var i = 0; i < syl.length; i++) {
      if (!syl[i]) continue;
      var j = i, k = 0;
      while (k < term.length && j < syl.length && syl[j] && syl[j][0] === term[k]) { j++; k++; }
      if (k === term.length) return page.title.slice(i, j);
      var rest = term;
      for (j = i; rest && j < syl.length && syl[j] && rest.indexOf(syl[j]) === 0; j++) rest = rest.slice(syl[j].length);
      if (!rest) return page.title.slice(i, j);
    }
    return "";
  }
  function termOnPage(page, forms) {
    var title = 0, head = 0, n = 0;
    forms.forEach(function (f) {
      title = Math.max(title, titleScore(page, f));
      page.docs.forEach(function (d) { head = Math.max(head, headScore(d, f)); n += count(f, d.nText); });
    });
    return title + head + body(n);
  }
  function phrase(page, terms) {
    return terms.length > 1 ? termOnPage(page, [terms.join("")]) : 0;
  }
  Engine.prototype.terms = function (query) {
    var q = normalize(query), synonyms = this.synonyms;
    synonyms.forEach(function (group) {
      group.slice(1).forEach(function (alias) {
        if (/[\s\-]/.test(alias)) {
          q = q.replace(new RegExp(aliasPattern(alias), "g"), function () { return " " + group[0] + " "; });
        }
      });
    });
    return chunks(q).map(function (chunk) {
      var group = synonyms.find(function (g) { return g.indexOf(chunk) >= 0; });
      return group ? [chunk].concat(group.filter(function (g) { return g !== chunk; })) : [chunk];
    });
  };
  Engine.prototype.search = function (query) {
    var self = this, terms = this.terms(query), hits = [];
    if (!terms.length) return hits;
    this.pages.forEach(function (page, i) {
      var matched = 0, score = 0, words = [], missing = [];
      terms.forEach(function (forms) {
        var s = termOnPage(page, forms);
        if (s) {
          matched += 1; score += s;
          forms.forEach(function (f) {
            if (!termOnPage(page, [f])) return;
            words.push(f);
            var chinese = pinyinTerm(f) && !has(f, page.nTitle) && pinyinWord(page, f);
            if (chinese) words.push(normalize(chinese));
          });
          return;
        }
        var pieces = parts(forms[0], self.vocabulary), found = [];
        pieces.forEach(function (p) { var ps = termOnPage(page, [p]); if (ps) found.push([p, ps]); });
        if (pieces.length && found.length * 2 >= pieces.length) {
          matched += found.length / pieces.length;
          score += PARTIAL * found.reduce(function (a, f) { return a + f[1]; }, 0) / pieces.length;
          found.forEach(function (f) { words.push(f[0]); });
        } else {
          missing.push(forms[0]);
        }
      });
      if (!matched) return;
      score += phrase(page, terms.map(function (f) { return f[0]; }));
      hits.push({ page: page, order: i, matched: matched, score: Math.round(score * 10) / 10, words: words,
                  missing: missing });
    });
    hits.sort(function (a, b) { return b.matched - a.matched || b.score - a.score || a.order - b.order; });
    return hits;
  };

  // ---- results ------------------------------------------------------------------------------------------------
  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function ranges(normalized, words) {
    var found = [];
    words.forEach(function (w) {
      var re = regex(w), m;
      while ((m = re.exec(normalized))) found.push([m.index, m.index + m[0].length]);
    });
    found.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    found.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]); else merged.push(r.slice());
    });
    return merged;
  }
  function marked(text, normalized, words) {
    var out = "", at = 0;
    ranges(normalized, words).forEach(function (r) {
      out += escapeHtml(text.slice(at, r[0])) + "<mark>" + escapeHtml(text.slice(r[0], r[1])) + "</mark>";
      at = r[1];
    });
    return out + escapeHtml(text.slice(at));
  }
  function excerpt(doc, words, width) {
    var first = ranges(doc.nText, words)[0];
    var start = first ? Math.max(0, first[0] - 30) : 0;
    var end = Math.min(doc.text.length, start + width);
    return (start ? "…" : "") + marked(doc.text.slice(start, end), doc.nText.slice(start, end), words) +
      (end < doc.text.length ? "…" : "");
  }
  function docScore(doc, words) {
    return words.reduce(function (s, w) { return s + headScore(doc, w) + body(count(w, doc.nText)); }, 0);
  }
  function hrefFor(base, hit, anchor) {
    var words = [];
    hit.words.forEach(function (w) {
      w.split(/\s+/).forEach(function (x) { if (x && words.indexOf(x) < 0) words.push(x); });
    });
    return new URL(hit.page.url, base).href.split("#")[0] + "?h=" + encodeURIComponent(words.join(" ")) +
      (anchor ? "#" + anchor : "");
  }
  function article(tag, titleHtml, textHtml, extra) {
    var html = '<article class="md-search-result__article md-typeset">' +
      (tag === "h1" ? '<div class="md-search-result__icon md-icon"></div>' : "") +
      "<" + tag + ">" + titleHtml + "</" + tag + ">" + (textHtml ? "<p>" + textHtml + "</p>" : "") +
      (extra || "") + "</article>";
    return html;
  }
  function renderHit(base, hit, missingLabel) {
    var page = hit.page, words = hit.words;
    var docs = page.docs.map(function (d) { return [docScore(d, words), d]; })
      .filter(function (x) { return x[0] > 0; })
      .sort(function (a, b) { return b[0] - a[0]; });
    var quoted = docs.filter(function (x) { return ranges(x[1].nText, words).length; });  // text that says it
    var lead = quoted.find(function (x) { return !x[1].anchor; }) || quoted[0] || docs[0];
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var missing = hit.missing.length ? '<p class="md-search-result__terms">' + escapeHtml(missingLabel) + ": " +
      hit.missing.map(function (m) { return "<del>" + escapeHtml(m) + "</del>"; }).join(" ") + "</p>" : "";
    var top = '<a href="' + escapeHtml(hrefFor(base, hit, "")) + '" class="md-search-result__link" tabindex="-1">' +
      article("h1", marked(page.title, page.nTitle, words), lead ? excerpt(lead[1], words, 120) : "", missing) +
      "</a>";
    var sections = docs.filter(function (x) { return x[1].anchor; }).slice(0, 3).map(function (x) {
      var d = x[1];
      return '<a href="' + escapeHtml(hrefFor(base, hit, d.anchor)) + '" class="md-search-result__link" ' +
        'tabindex="-1">' + article("h2", marked(d.heading, d.nHeading, words), excerpt(d, words, 100)) + "</a>";
    });
    li.innerHTML = top + sections.join("");
    return li;
  }

  // ---- the search box -----------------------------------------------------------------------------------------
  var script = document.currentScript;
  var siteRoot = script ? new URL("..", script.src) : new URL(".", location.href);
  var MAX_RESULTS = 20;

  function translations() {
    try { return JSON.parse(document.getElementById("__config").textContent).translations || {}; }
    catch (e) { return {}; }
  }
  function setup() {
    var toggle = document.getElementById("__search");
    var form = document.querySelector("form[data-atlas-search]");
    var input = form && form.querySelector(".md-search__input");
    var output = document.querySelector("[data-atlas-search-result]");
    if (!toggle || !input || !output) return;
    var meta = output.querySelector(".md-search-result__meta");
    var list = output.querySelector(".md-search-result__list");
    var t = translations();
    var engine = null, loading = false;

    function load() {
      if (engine || loading) return;
      loading = true;
      meta.textContent = "正在加载索引…";
      var tag = document.createElement("script");
      tag.src = new URL("search/search_index.js", siteRoot).href;
      tag.onload = function () {
        engine = new Engine(window.__atlasSearch);
        window.atlasSearch = engine;  // for tests and the curious: atlasSearch.search("红黑树")
        run();
      };
      tag.onerror = function () { loading = false; meta.textContent = "搜索索引加载失败"; };
      document.head.appendChild(tag);
    }
    function run() {
      if (!engine) return;
      var query = input.value;
      list.textContent = "";
      output.setAttribute("data-atlas-query", query);  // which query the list answers (tests wait for it)
      if (!query.trim()) { meta.textContent = t["search.result.placeholder"] || "键入以开始搜索"; return; }
      var started = performance.now();
      var hits = engine.search(query);
      var n = hits.length;
      meta.textContent = n === 0 ? (t["search.result.none"] || "没有找到符合条件的结果") :
        (n === 1 ? (t["search.result.one"] || "找到 1 个符合条件的结果") :
          (t["search.result.other"] || "# 个符合条件的结果").replace("#", n));
      hits.slice(0, MAX_RESULTS).forEach(function (hit) {
        list.appendChild(renderHit(siteRoot, hit, t["search.result.term.missing"] || "缺少"));
      });
      output.setAttribute("data-atlas-ms", String(Math.round(performance.now() - started)));
    }
    function open() {
      if (!toggle.checked) { toggle.checked = true; toggle.dispatchEvent(new Event("change")); }
      load();
    }
    function close() {
      if (toggle.checked) { toggle.checked = false; toggle.dispatchEvent(new Event("change")); }
      input.blur();
    }
    function links() { return Array.prototype.slice.call(list.querySelectorAll(".md-search-result__link")); }

    input.addEventListener("focus", open);
    input.addEventListener("input", run);
    toggle.addEventListener("change", function () {
      if (toggle.checked) { load(); if (document.activeElement !== input) input.focus(); }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var first = links()[0];
      if (first) location.href = first.href;
    });
    form.addEventListener("reset", function () { setTimeout(function () { run(); input.focus(); }, 0); });
    document.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      var active = document.activeElement;
      var typing = active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
      if (!toggle.checked || !output.contains(active) && active !== input) {
        if (!typing && (e.key === "/" || e.key === "s" || e.key === "f")) {
          e.preventDefault();
          open();
          input.focus();
          input.select();
        }
        return;
      }
      var all = [input].concat(links()), at = all.indexOf(active);
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        var next = all[Math.max(0, Math.min(all.length - 1, at + (e.key === "ArrowDown" ? 1 : -1)))];
        next.focus();
        if (next !== input) next.scrollIntoView({ block: "nearest" });
      } else if (e.key === "Escape") {
        e.preventDefault();
        close();
      } else if (e.key === "Tab" && at > 0) {
        e.preventDefault();
        all[e.shiftKey ? at - 1 : Math.min(all.length - 1, at + 1)].focus();
      } else if (at > 0 && e.key.length === 1) {
        input.focus();  // typing while a result has focus goes on with the query
      }
    });
  }

  // ---- highlighting on the opened page (?h=) -------------------------------------------------------------------
  var SKIP = /^(SCRIPT|STYLE|SVG|MARK|TEXTAREA|INPUT|BUTTON)$/;
  function highlight() {
    var words = chunks(new URLSearchParams(location.search).get("h") || "").filter(function (w) {
      return w.length > 1 || isCjk(w);
    });
    var root = document.querySelector(".md-content__inner");
    if (!words.length || !root) return;
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: function (node) {
        for (var el = node.parentElement; el && el !== root; el = el.parentElement) {
          if (SKIP.test(el.tagName.toUpperCase()) || el.classList.contains("katex") || el.classList.contains("arithmatex") ||
              el.classList.contains("headerlink")) return NodeFilter.FILTER_REJECT;
        }
        return node.nodeValue.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT;
      }
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    var marks = [];
    nodes.forEach(function (node) {
      var text = node.nodeValue, found = ranges(normalize(text), words);
      if (!found.length) return;
      var frag = document.createDocumentFragment(), at = 0;
      found.forEach(function (r) {
        frag.appendChild(document.createTextNode(text.slice(at, r[0])));
        var mark = document.createElement("mark");
        mark.setAttribute("data-md-highlight", "");
        mark.textContent = text.slice(r[0], r[1]);
        frag.appendChild(mark);
        marks.push(mark);
        at = r[1];
      });
      frag.appendChild(document.createTextNode(text.slice(at)));
      node.parentNode.replaceChild(frag, node);
    });
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var first = marks.find(function (m) {
      return !target || (target.compareDocumentPosition(m) & Node.DOCUMENT_POSITION_FOLLOWING);
    }) || marks[0];
    if (first) {
      for (var el = first.parentElement; el && el !== root; el = el.parentElement) {
        if (el.tagName === "DETAILS") el.open = true;  // an answer that says it opens to show it
      }
      first.scrollIntoView({ block: "center" });
    }
  }

  function start() { setup(); highlight(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  window.atlasSearchText = { normalize: normalize, chunks: chunks, parts: parts, pattern: pattern,
                             segmentCjk: segmentCjk, Engine: Engine };
})();
