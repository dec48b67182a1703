// Reader progress without an account: 已学完 / 学习中 / 跳过 per topic, kept in localStorage under one prefix,
// keyed by topic id (so it survives a rebuild and a move of the site's folder; ids the site no longer has are kept).
// Shown on topic pages (buttons, keys d / l / s), in the navigation and on every link to a topic, on unit, track
// and home pages, and on the map (node borders and a legend); "what next" is the fringe: written topics whose
// curated prerequisites are all learned. Reads window.atlasStudyData (assets/study-data.js, made by the generator).
(function () {
  "use strict";
  var DATA = window.atlasStudyData;
  if (!DATA) return;
  var PREFIX = "atlas:v1:";
  var ROOT = new URL("..", document.currentScript.src).href;  // this file is <site>/assets/progress.js
  var STATES = {
    done: { label: "已学完", key: "d", mark: "✓" },
    learning: { label: "学习中", key: "l", mark: "●" },
    skipped: { label: "跳过", key: "s", mark: "–" }
  };
  var ORDER = ["done", "learning", "skipped"];
  var MAP_STYLE = {
    done: { border: "#00c853", width: 5 },
    learning: { border: "#ffab00", width: 5 },
    skipped: { border: "#9e9e9e", width: 3, dashes: [2, 3] },
    next: { border: "#d500f9", width: 5, dashes: [8, 4] }
  };

  // ---- storage ------------------------------------------------------------------------------------------------
  function read(name, fallback) {
    try {
      var text = window.localStorage.getItem(PREFIX + name);
      return text === null ? fallback : JSON.parse(text);
    } catch (e) { return fallback; }
  }
  function write(name, value) {
    try { window.localStorage.setItem(PREFIX + name, JSON.stringify(value)); } catch (e) { /* storage disabled */ }
  }
  function names() {
    var out = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var k = window.localStorage.key(i);
        if (k && k.indexOf(PREFIX) === 0) out.push(k.slice(PREFIX.length));
      }
    } catch (e) { /* storage disabled */ }
    return out.sort();
  }
  function dump() {
    var data = {};
    names().forEach(function (n) { data[n] = read(n, null); });
    return data;
  }
  function clearAll() {
    names().forEach(function (n) { try { window.localStorage.removeItem(PREFIX + n); } catch (e) { /* */ } });
  }

  // ---- the graph ------------------------------------------------------------------------------------------------
  var topics = {}, successors = {}, pageToId = {}, unitPages = {};
  DATA.topics.forEach(function (t, i) {
    t.order = i;
    topics[t.id] = t;
    pageToId[href(t.page)] = t.id;
  });
  DATA.units.forEach(function (u) { unitPages[href(u.page)] = u.id; });
  DATA.topics.forEach(function (t) {
    t.prereqs.forEach(function (p) { (successors[p] = successors[p] || []).push(t.id); });
  });
  function href(page) { return new URL(page, ROOT).href; }

  var progress = read("progress", {});
  function state(id) { var s = progress[id]; return STATES[s] ? s : null; }
  // A skipped topic counts as learned for what follows it: the reader has decided it is not in the way.
  function satisfied(id) { var s = state(id); return s === "done" || s === "skipped"; }

  function descendants(id) {
    var seen = {}, stack = [id];
    while (stack.length) {
      (successors[stack.pop()] || []).forEach(function (x) { if (!seen[x]) { seen[x] = true; stack.push(x); } });
    }
    return Object.keys(seen);
  }
  // What to learn next: written, not yet learned, every curated prerequisite learned; those that open the most
  // still-unlearned topics first, then syllabus order.
  function fringe(ids) {
    var pool = ids ? ids.map(function (id) { return topics[id]; }) : DATA.topics;
    return pool.filter(function (t) {
      return t.written && !satisfied(t.id) && t.prereqs.every(satisfied);
    }).map(function (t) {
      return { topic: t, unlocks: descendants(t.id).filter(function (x) { return !satisfied(x); }).length };
    }).sort(function (a, b) { return b.unlocks - a.unlocks || a.topic.order - b.topic.order; });
  }
  function tally(ids) {
    var written = ids.filter(function (id) { return topics[id] && topics[id].written; });
    var c = { total: written.length, done: 0, learning: 0, skipped: 0, hoursLeft: 0 };
    written.forEach(function (id) {
      var s = state(id);
      if (s) c[s] += 1;
      if (!satisfied(id)) c.hoursLeft += topics[id].hours || 0;
    });
    c.hoursLeft = Math.round(c.hoursLeft * 10) / 10;
    return c;
  }

  function setState(id, value) {
    progress = read("progress", {});  // another tab may have written meanwhile
    if (value && STATES[value]) progress[id] = value; else delete progress[id];
    write("progress", progress);
    refresh();
  }

  // ---- small DOM helpers ----------------------------------------------------------------------------------------
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function topicLink(t) {
    var a = el("a", null, t.id + " " + t.title);
    a.href = href(t.page);
    return a;
  }
  function bar(c) {
    var b = el("div", "atlas-study-bar");
    b.setAttribute("role", "img");
    b.setAttribute("aria-label", "已学完 " + c.done + " / " + c.total);
    ["done", "learning", "skipped"].forEach(function (s) {
      var part = el("span", "atlas-study-bar-" + s);
      part.style.width = (c.total ? (100 * c[s] / c.total) : 0) + "%";
      b.appendChild(part);
    });
    return b;
  }
  function summary(c) {
    var p = el("p", "atlas-study-summary");
    p.appendChild(el("strong", "atlas-study-count", "已学完 " + c.done + " / " + c.total));
    p.appendChild(document.createTextNode(" 个主题" + (c.learning ? " · 学习中 " + c.learning : "") +
      (c.skipped ? " · 跳过 " + c.skipped : "") + " · 剩余约 "));
    p.appendChild(el("span", "atlas-study-hours", String(c.hoursLeft)));
    p.appendChild(document.createTextNode(" 小时"));
    return p;
  }
  function fringeList(items, limit) {
    var ol = el("ol", "atlas-study-fringe");
    items.slice(0, limit).forEach(function (f) {
      var li = el("li");
      li.dataset.topic = f.topic.id;
      li.appendChild(topicLink(f.topic));
      var extra = " · " + (f.topic.hours || 0) + " 小时" + (f.unlocks ? " · 学完后通向 " + f.unlocks + " 个主题" : "");
      if (state(f.topic.id) === "learning") extra += " · 学习中";
      li.appendChild(el("span", "atlas-study-note", extra));
      ol.appendChild(li);
    });
    return ol;
  }

  // ---- views --------------------------------------------------------------------------------------------------
  function renderTopicControl(box) {
    var id = box.dataset.topic;
    box.textContent = "";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "学习进度");
    box.appendChild(el("span", "atlas-progress-label", "我的进度："));
    ORDER.forEach(function (s) {
      var b = el("button", "atlas-progress-btn atlas-st-" + s);
      b.type = "button";
      b.dataset.state = s;
      b.setAttribute("aria-pressed", state(id) === s ? "true" : "false");
      b.setAttribute("aria-keyshortcuts", STATES[s].key);
      b.title = "按 " + STATES[s].key + " 切换";
      b.appendChild(document.createTextNode(STATES[s].mark + " " + STATES[s].label + " "));
      b.appendChild(el("kbd", null, STATES[s].key));
      b.addEventListener("click", function () { setState(id, state(id) === s ? null : s); });
      box.appendChild(b);
    });
    var t = topics[id];
    if (t && t.prereqs.length && !t.prereqs.every(satisfied)) {
      var open = t.prereqs.filter(function (p) { return !satisfied(p); });
      box.appendChild(el("span", "atlas-study-note", "还有 " + open.length + " 个前置主题未学完"));
    }
  }

  function markLinks() {
    document.querySelectorAll(".md-nav a[href], .md-content a[href]").forEach(function (a) {
      if (a.closest("[data-study]") || a.getAttribute("href").charAt(0) === "#") return;  // own panels; the TOC
      var target = a.href.split("#")[0].split("?")[0];
      var unit = unitPages[target];
      if (unit && a.closest(".md-nav")) {  // a unit's overview in the navigation: done / written topics
        var c = tally(DATA.topics.filter(function (t) { return t.unit === unit; }).map(function (t) { return t.id; }));
        a.dataset.atlasCount = c.done + "/" + c.total;
      }
      var id = pageToId[target];
      if (!id) return;
      var s = state(id);
      if (s) a.dataset.atlasState = s; else delete a.dataset.atlasState;
    });
  }

  function renderUnit(box) {
    var unit = box.dataset.unit;
    var ids = DATA.topics.filter(function (t) { return t.unit === unit; }).map(function (t) { return t.id; });
    var c = tally(ids);
    box.textContent = "";
    box.appendChild(summary(c));
    box.appendChild(bar(c));
    var next = fringe(ids);
    if (next.length) {
      box.appendChild(el("p", "atlas-study-next-head", "本单元现在可以学："));
      box.appendChild(fringeList(next, 5));
    }
  }

  function renderTrack(box) {
    var track = DATA.tracks.filter(function (t) { return t.id === box.dataset.track; })[0];
    if (!track) return;
    var c = tally(track.path);
    box.textContent = "";
    box.appendChild(summary(c));
    box.appendChild(bar(c));
    var next = track.path.filter(function (id) { return topics[id].written && !satisfied(id); })[0];
    var p = el("p", "atlas-study-next");
    if (next) {
      p.appendChild(document.createTextNode("下一步："));
      p.appendChild(topicLink(topics[next]));
      p.dataset.topic = next;
      var open = topics[next].prereqs.filter(function (x) { return !satisfied(x); });
      if (open.length) p.appendChild(el("span", "atlas-study-note", "（它还有 " + open.length + " 个未撰写或未学的前置）"));
    } else {
      p.textContent = c.total ? "这条路线已经学完。" : "这条路线的主题都还没有撰写。";
    }
    box.appendChild(p);
  }

  function renderHome(box) {
    var c = tally(DATA.topics.map(function (t) { return t.id; }));
    box.textContent = "";
    box.appendChild(el("h2", null, "我的学习"));
    box.appendChild(summary(c));
    box.appendChild(bar(c));
    var next = fringe();
    box.appendChild(el("p", "atlas-study-next-head", next.length ?
      "接下来可以学（前置都已学完，按能通向的主题数排序）：" : "没有可以直接开始的主题了。"));
    if (next.length) box.appendChild(fringeList(next, 8));
    var links = el("p", "atlas-study-links");
    var due = el("a", null);
    due.href = href(DATA.pages.flashcards);
    due.appendChild(document.createTextNode("面试题闪卡"));
    links.appendChild(due);
    links.appendChild(el("span", "atlas-study-due", ""));
    links.appendChild(document.createTextNode(" · "));
    var anki = el("a", null, "下载 Anki 卡组");
    anki.href = href(DATA.pages.anki);
    links.appendChild(anki);
    links.appendChild(document.createTextNode(" · "));
    var settings = el("a", null, "导出、导入与重置进度");
    settings.href = href(DATA.pages.progress);
    links.appendChild(settings);
    box.appendChild(links);
    document.dispatchEvent(new CustomEvent("atlas:study-rendered"));
  }

  function renderSettings(box) {
    box.textContent = "";
    var c = tally(DATA.topics.map(function (t) { return t.id; }));
    box.appendChild(summary(c));
    box.appendChild(bar(c));
    var table = el("table");  // no class: Material styles only tables without one
    var head = el("tr");
    ["单元", "已学完", "学习中", "跳过", "剩余学时"].forEach(function (h) { head.appendChild(el("th", null, h)); });
    table.appendChild(head);
    DATA.units.forEach(function (u) {
      var uc = tally(DATA.topics.filter(function (t) { return t.unit === u.id; }).map(function (t) { return t.id; }));
      var tr = el("tr");
      var td = el("td");
      var a = el("a", null, u.id + " " + u.title);
      a.href = href(u.page);
      td.appendChild(a);
      tr.appendChild(td);
      [uc.done + " / " + uc.total, uc.learning, uc.skipped, uc.hoursLeft].forEach(function (v) {
        tr.appendChild(el("td", null, String(v)));
      });
      table.appendChild(tr);
    });
    var wrap = el("div", "atlas-study-units");
    wrap.appendChild(table);
    box.appendChild(wrap);
    var stale = Object.keys(progress).filter(function (id) { return !topics[id]; });
    if (stale.length) {
      box.appendChild(el("p", "atlas-study-note atlas-study-stale", stale.length +
        " 条进度记录对应的主题不在当前站点中（" + stale.join("、") + "），已原样保留，导出时也会带上。"));
    }
    var actions = el("div", "atlas-study-actions");
    var exp = el("button", "md-button md-button--primary", "导出为 JSON 文件");
    exp.type = "button";
    exp.id = "atlas-study-export";
    exp.addEventListener("click", exportFile);
    var label = el("label", "md-button");
    label.appendChild(document.createTextNode("从 JSON 文件导入"));
    var input = el("input");
    input.type = "file";
    input.accept = "application/json,.json";
    input.id = "atlas-study-import";
    input.className = "atlas-study-file";
    input.addEventListener("change", function () { if (input.files[0]) importFile(input.files[0]); });
    label.appendChild(input);
    var reset = el("button", "md-button", "全部重置");
    reset.type = "button";
    reset.id = "atlas-study-reset";
    reset.addEventListener("click", function () {
      if (window.confirm("清除这台设备上的全部学习进度和闪卡记录？建议先导出备份。")) {
        clearAll();
        reload("已重置。");
      }
    });
    actions.appendChild(exp);
    actions.appendChild(label);
    actions.appendChild(reset);
    box.appendChild(actions);
    box.appendChild(el("p", "atlas-study-message", message));
    box.querySelector(".atlas-study-message").setAttribute("role", "status");
  }

  var message = "";
  function reload(text) {
    message = text;
    progress = read("progress", {});
    refresh();
    document.dispatchEvent(new CustomEvent("atlas:study-changed"));
  }

  function exportFile() {
    var payload = { format: "backend-atlas-study", version: 1, prefix: PREFIX, data: dump() };
    var blob = new Blob([JSON.stringify(payload, null, 2) + "\n"], { type: "application/json" });
    var a = el("a");
    a.href = URL.createObjectURL(blob);
    a.download = "atlas-study-" + new Date().toISOString().slice(0, 10) + ".json";
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
  }

  function importFile(file) {
    var reader = new FileReader();
    reader.onload = function () {
      var payload;
      try { payload = JSON.parse(reader.result); } catch (e) { payload = null; }
      if (!payload || payload.format !== "backend-atlas-study" || typeof payload.data !== "object" || !payload.data) {
        reload("导入失败：这不是本站导出的进度文件。");
        return;
      }
      clearAll();
      Object.keys(payload.data).forEach(function (n) { write(n, payload.data[n]); });
      reload("已导入 " + Object.keys((payload.data.progress || {})).length + " 条主题进度。");
    };
    reader.readAsText(file);
  }

  // ---- the map ------------------------------------------------------------------------------------------------
  // Done / learning / skipped: a thick border in the state's colour (the unit colour stays the fill). What next: a
  // dashed border and a glow, so the fill and border colours the map itself sets stay as they are. A mark before
  // each label says the same for readers who do not tell the colours apart.
  var mapLabels = {}, painted = {};
  function paintMap() {
    var m = window.atlasMap;
    if (!m || !m.nodes) return;
    var next = {};
    fringe().forEach(function (f) { next[f.topic.id] = true; });
    var counts = { done: 0, learning: 0, skipped: 0, next: 0 };
    var updates = [];
    m.nodes.get().forEach(function (n) {
      var id = String(n.id).replace(/^topic:/, "");
      if (!topics[id]) return;
      if (!(n.id in mapLabels)) mapLabels[n.id] = n.label;
      var kind = state(id) || (next[id] ? "next" : null);
      var bg = typeof n.color === "string" ? n.color : (n.color && n.color.background) || "#97c2fc";
      if (!kind) {
        if (painted[n.id]) {
          updates.push({ id: n.id, label: mapLabels[n.id], borderWidth: 1, shapeProperties: { borderDashes: false },
                         shadow: { enabled: false }, color: bg, atlasProgress: "" });
          delete painted[n.id];
        }
        return;
      }
      counts[kind] += 1;
      painted[n.id] = true;
      var style = MAP_STYLE[kind];
      var update = {
        id: n.id, borderWidth: style.width, borderWidthSelected: style.width + 1,
        shapeProperties: { borderDashes: style.dashes || false },
        label: (kind === "next" ? "★" : STATES[kind].mark) + " " + mapLabels[n.id], atlasProgress: kind,
        shadow: kind === "next" ? { enabled: true, color: style.border, size: 14, x: 0, y: 0 } : { enabled: false }
      };
      if (kind !== "next") {
        update.color = { background: bg, border: style.border, highlight: { background: bg, border: style.border },
                         hover: { background: bg, border: style.border } };
      }
      updates.push(update);
    });
    m.nodes.update(updates);
    legend(m, counts);
  }
  function legend(m, counts) {
    var container = document.getElementById("atlas-map") || (m.network.body && m.network.body.container);
    if (!container) return;
    var box = document.getElementById("atlas-study-legend");
    if (!box) {
      box = el("div", "atlas-study-legend");
      box.id = "atlas-study-legend";
      box.dataset.study = "legend";
      container.parentNode.insertBefore(box, container.nextSibling);
    }
    box.textContent = "";
    box.appendChild(el("span", "atlas-study-legend-head", "我的进度（边框）："));
    ["done", "learning", "skipped", "next"].forEach(function (k) {
      var item = el("span", "atlas-study-legend-item");
      item.dataset.kind = k;
      var sw = el("span", "atlas-study-swatch");
      sw.style.borderColor = MAP_STYLE[k].border;
      sw.style.borderStyle = MAP_STYLE[k].dashes ? "dashed" : "solid";
      if (k === "next") sw.style.boxShadow = "0 0 6px " + MAP_STYLE[k].border;
      item.appendChild(sw);
      var label = k === "next" ? "★ 接下来可以学" : STATES[k].mark + " " + STATES[k].label;
      item.appendChild(document.createTextNode(label + " " + counts[k]));
      box.appendChild(item);
    });
    var a = el("a", null, "管理进度");
    a.href = href(DATA.pages.progress);
    box.appendChild(a);
  }
  function hookMap() {
    var m = window.atlasMap;
    if (!m || m.atlasStudyHooked) return;
    m.atlasStudyHooked = true;
    // The map restyles nodes when one is selected or cleared; paint the progress borders again afterwards.
    m.network.on("click", function () { setTimeout(paintMap, 0); });
    paintMap();
  }
  document.addEventListener("atlas:map-ready", hookMap);

  // ---- wiring -------------------------------------------------------------------------------------------------
  function refresh() {
    document.querySelectorAll("[data-study=topic]").forEach(renderTopicControl);
    document.querySelectorAll("[data-study=unit]").forEach(renderUnit);
    document.querySelectorAll("[data-study=track]").forEach(renderTrack);
    document.querySelectorAll("[data-study=home]").forEach(renderHome);
    document.querySelectorAll("[data-study=settings]").forEach(renderSettings);
    markLinks();
    if (window.atlasMap && window.atlasMap.atlasStudyHooked) paintMap();
  }

  window.addEventListener("keydown", function (e) {
    var box = document.querySelector("[data-study=topic]");
    if (!box || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var s = ORDER.filter(function (x) { return STATES[x].key === e.key; })[0];
    if (!s) return;
    // Capture phase on window: Material's own shortcut for `s` (open search) does not fire on topic pages;
    // `/` and `f` still open the search.
    e.preventDefault();
    e.stopPropagation();
    var id = box.dataset.topic;
    setState(id, state(id) === s ? null : s);
  }, true);
  window.addEventListener("storage", function (e) {
    if (e.key && e.key.indexOf(PREFIX) === 0) reload(message);
  });

  window.atlasStudy = { data: DATA, topics: topics, read: read, write: write, href: href, fringe: fringe };
  function start() {
    refresh();
    hookMap();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
