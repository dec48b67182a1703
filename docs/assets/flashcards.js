// Flashcards from the interview questions, scheduled with SM-2 (P. Wozniak, 1990): quality again=1, hard=3, good=4,
// easy=5; intervals 1 day, 6 days, then interval × E-Factor; a card answered below 3 starts over and, as SM-2's
// step 7 asks, comes back in the same session (after 10 minutes). The schedule lives in localStorage
// ("atlas:v1:cards", keyed by card id); the cards themselves are window.atlasStudyCards (assets/study-cards.js,
// loaded by the flashcards page only). Every page gets the number due (home page panel).
(function () {
  "use strict";
  var S = window.atlasStudy;
  if (!S) return;
  var MINUTE = 60000, DAY = 86400000, RELEARN = 10 * MINUTE;
  var GRADES = [
    { name: "again", label: "重来", key: "1", q: 1 },
    { name: "hard", label: "困难", key: "2", q: 3 },
    { name: "good", label: "良好", key: "3", q: 4 },
    { name: "easy", label: "简单", key: "4", q: 5 }
  ];

  function schedule(prev, q, now) {
    var s = prev || { ef: 2.5, reps: 0, interval: 0 };
    if (q < 3) return { ef: s.ef, reps: 0, interval: 0, due: now + RELEARN, last: now, q: q };
    var reps = s.reps + 1;
    var interval = reps === 1 ? 1 : reps === 2 ? 6 : Math.round(s.interval * s.ef);
    var ef = Math.max(1.3, s.ef + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02));
    return { ef: Math.round(ef * 1000) / 1000, reps: reps, interval: interval, due: now + interval * DAY,
             last: now, q: q };
  }
  function spell(ms) {
    if (ms < 60 * MINUTE) return Math.max(1, Math.round(ms / MINUTE)) + " 分钟";
    if (ms < DAY) return Math.round(ms / (60 * MINUTE)) + " 小时";
    return Math.round(ms / DAY) + " 天";
  }

  function allIds() {
    var ids = [];
    S.data.topics.forEach(function (t) { ids.push.apply(ids, t.cards); });
    return ids;
  }
  function idsFor(filter) {
    var parts = (filter || "all").split(":");
    var keep = null;
    if (parts[0] === "unit") keep = function (t) { return t.unit === parts[1]; };
    if (parts[0] === "track") {
      var track = S.data.tracks.filter(function (t) { return t.id === parts[1]; })[0];
      var on = {};
      (track ? track.path : []).forEach(function (id) { on[id] = true; });
      keep = function (t) { return on[t.id]; };
    }
    var ids = [];
    S.data.topics.forEach(function (t) { if (!keep || keep(t)) ids.push.apply(ids, t.cards); });
    return ids;
  }
  function counts(ids, states, now) {
    var c = { due: 0, fresh: 0, later: 0, next: null };
    ids.forEach(function (id) {
      var s = states[id];
      if (!s) c.fresh += 1;
      else if (s.due <= now) c.due += 1;
      else { c.later += 1; if (c.next === null || s.due < c.next) c.next = s.due; }
    });
    return c;
  }
  // Due cards (earliest first), then new cards in syllabus order.
  function queue(ids, states, now) {
    var due = ids.filter(function (id) { return states[id] && states[id].due <= now; });
    due.sort(function (a, b) { return states[a].due - states[b].due; });
    return due.concat(ids.filter(function (id) { return !states[id]; }));
  }

  function fillDue() {
    var c = counts(allIds(), S.read("cards", {}), Date.now());
    document.querySelectorAll(".atlas-study-due").forEach(function (e) {
      e.textContent = "：到期 " + c.due + " 张，未学 " + c.fresh + " 张";
      e.dataset.due = String(c.due);
    });
  }

  // ---- the review page ----------------------------------------------------------------------------------------
  var box = document.getElementById("atlas-cards");
  var cards = {};
  (window.atlasStudyCards || []).forEach(function (c) { cards[c.id] = c; });
  var current = null, revealed = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function math(node) {
    if (typeof window.renderMathInElement !== "function") return;
    window.renderMathInElement(node, {
      delimiters: [{ left: "\\(", right: "\\)", display: false }, { left: "\\[", right: "\\]", display: true }],
      throwOnError: false
    });
  }
  function filterValue() { return S.read("cards-filter", "all"); }

  function controls() {
    var bar = el("div", "atlas-cards-bar");
    var label = el("label", null, "范围 ");
    var select = el("select");
    select.id = "atlas-cards-filter";
    function option(value, text) {
      var o = el("option", null, text);
      o.value = value;
      select.appendChild(o);
    }
    option("all", "全部面试题");
    S.data.tracks.forEach(function (t) { option("track:" + t.id, "路线：" + t.title); });
    S.data.units.forEach(function (u) { option("unit:" + u.id, "单元 " + u.id + " " + u.title); });
    select.value = filterValue();
    if (select.value !== filterValue()) select.value = "all";
    select.addEventListener("change", function () { S.write("cards-filter", select.value); show(); });
    label.appendChild(select);
    bar.appendChild(label);
    bar.appendChild(el("span", "atlas-cards-counts"));
    return bar;
  }

  function show() {
    var states = S.read("cards", {});
    var now = Date.now();
    var ids = idsFor(filterValue()).filter(function (id) { return cards[id]; });
    var c = counts(ids, states, now);
    box.querySelector(".atlas-cards-counts").textContent =
      "到期 " + c.due + " · 未学 " + c.fresh + " · 已排期 " + c.later + " · 共 " + ids.length;
    var stage = box.querySelector(".atlas-cards-stage");
    stage.textContent = "";
    var q = queue(ids, states, now);
    current = q[0] || null;
    revealed = false;
    if (!current) {
      stage.appendChild(el("p", "atlas-cards-empty", ids.length ? "这个范围里现在没有要复习的卡片。" +
        (c.next ? "下一张在 " + spell(c.next - now) + "后到期。" : "") : "这个范围里没有面试题。"));
      return;
    }
    var card = cards[current];
    var topic = S.topics[card.topic];
    var article = el("article", "atlas-card");
    article.dataset.card = current;
    article.tabIndex = -1;
    var meta = el("p", "atlas-card-topic");
    var a = el("a", null, topic.id + " " + topic.title);
    a.href = S.href(topic.page) + "#questions";
    meta.appendChild(a);
    meta.appendChild(el("span", "atlas-study-note", states[current] ? " · 复习" : " · 新卡"));
    article.appendChild(meta);
    var question = el("div", "atlas-card-q");
    question.innerHTML = card.q;  // HTML the generator rendered from the topic's Markdown, as the topic page shows it
    article.appendChild(question);
    var answer = el("div", "atlas-card-a");
    answer.hidden = true;
    answer.innerHTML = card.a;
    article.appendChild(answer);
    var reveal = el("button", "md-button md-button--primary atlas-card-reveal", "显示答案");
    reveal.type = "button";
    reveal.appendChild(el("kbd", null, "空格"));
    reveal.addEventListener("click", showAnswer);
    article.appendChild(reveal);
    var grades = el("div", "atlas-card-grades");
    grades.hidden = true;
    GRADES.forEach(function (g) {
      var b = el("button", "md-button atlas-card-grade atlas-grade-" + g.name);
      b.type = "button";
      b.dataset.grade = g.name;
      var next = schedule(states[current], g.q, now);
      b.appendChild(el("span", "atlas-card-grade-label", g.label));
      b.appendChild(el("span", "atlas-card-grade-when", spell(next.due - now)));
      b.appendChild(el("kbd", null, g.key));
      b.addEventListener("click", function () { grade(g); });
      grades.appendChild(b);
    });
    article.appendChild(grades);
    stage.appendChild(article);
    math(question);
    article.focus({ preventScroll: true });
  }
  function showAnswer() {
    var article = box.querySelector(".atlas-card");
    if (!article || revealed) return;
    revealed = true;
    var answer = article.querySelector(".atlas-card-a");
    answer.hidden = false;
    math(answer);
    article.querySelector(".atlas-card-reveal").hidden = true;
    article.querySelector(".atlas-card-grades").hidden = false;
    article.focus({ preventScroll: true });
  }
  function grade(g) {
    if (!current || !revealed) return;
    var states = S.read("cards", {});
    states[current] = schedule(states[current], g.q, Date.now());
    S.write("cards", states);
    show();
    fillDue();
  }

  if (box) {
    box.textContent = "";
    box.appendChild(controls());
    box.appendChild(el("div", "atlas-cards-stage"));
    show();
    window.addEventListener("keydown", function (e) {
      if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      var t = e.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON|A)$/.test(t.tagName))) return;
      if (e.key === " " || e.key === "Enter") {
        if (!current || revealed) return;
        e.preventDefault();
        showAnswer();
        return;
      }
      var g = GRADES.filter(function (x) { return x.key === e.key; })[0];
      if (g && revealed) { e.preventDefault(); e.stopPropagation(); grade(g); }
    }, true);
  }
  document.addEventListener("atlas:study-rendered", fillDue);
  document.addEventListener("atlas:study-changed", function () { if (box) show(); fillDue(); });
  fillDue();
})();
