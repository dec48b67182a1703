// The interactive topic map: vis-network with positions fixed by the generator (physics off). Units are regions;
// far out the map names units, near in it names topics (semantic zoom). Search, unit filters that refit, zoom
// buttons and keys, prerequisite-chain highlighting and the learning path of the selected topic. Offline only.
//
// For other scripts: once drawn, `window.atlasMap = {network, nodes, edges, ...}` and the document receives
// "atlas:map-ready". Node ids are the graph's ("topic:1.1.2"). Written/unwritten and units are told apart by fill
// and opacity only, so node borders are free for others (progress).
(function () {
  var container = document.getElementById("atlas-map");
  var dataEl = document.getElementById("atlas-map-data");
  if (!container || !dataEl || typeof vis === "undefined") return;
  var startedAt = performance.now();
  var data = JSON.parse(dataEl.textContent);
  var topics = data.topics;
  var FONT = 15, NAMES_FROM = 0.53, READABLE = 0.75;  // topic names are drawn from NAMES_FROM on (8 px and up)
  var unitById = {};
  data.units.forEach(function (u) { unitById[u.id] = u; });

  // ---- colours, per palette ----
  function dark() { return document.body.getAttribute("data-md-color-scheme") === "slate"; }
  function rgb(hex) { return [1, 3, 5].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); }); }
  function mix(hex, other, t) {  // t of `other` into `hex`
    var a = rgb(hex), b = rgb(other);
    return "#" + a.map(function (x, i) { return ("0" + Math.round(x + (b[i] - x) * t).toString(16)).slice(-2); }).join("");
  }
  function theme() {
    return dark() ? { bg: "#1e2029", fg: "#e6e6e6", edge: "#8a8f9c", cross: "rgba(239,83,80,0.14)", region: 0.16 }
                  : { bg: "#ffffff", fg: "#1a1a1a", edge: "#9e9e9e", cross: "rgba(211,47,47,0.16)", region: 0.07 };
  }
  var ownBorder = {};  // the border colour this script last gave each node
  function nodeStyle(id, dim) {
    var t = topics[id], colour = unitById[t.unit].colour, th = theme();
    var fill = t.written ? colour : mix(colour, th.bg, 0.78);  // unwritten: a pale box with the unit's colour as text
    var current = typeof nodes !== "undefined" && nodes.get(id);  // a border set by another script stays
    var foreign = !!(current && current.color && current.color.border !== ownBorder[id]);
    var border = foreign ? current.color.border : fill;
    if (!foreign) ownBorder[id] = fill;
    return { id: id, opacity: dim ? 0.18 : 1,
             color: { background: fill, border: border, highlight: { background: fill, border: th.fg },
                      hover: { background: fill, border: th.fg } },
             font: { color: t.written ? "#ffffff" : (dark() ? mix(colour, "#ffffff", 0.55) : colour), size: FONT } };
  }
  function edgeStyle(e, lit) {
    var th = theme();
    if (lit === true) return { id: e.id, color: { color: th.fg, opacity: 1 }, width: 2.5 };
    if (lit === false) return { id: e.id, color: { color: th.edge, opacity: 0.12 }, width: 1 };
    return { id: e.id, color: { color: e.cross ? th.cross : th.edge, opacity: 1 }, width: 1 };
  }

  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return Object.assign({}, n, nodeStyle(n.id, false));
  }));
  var edges = new vis.DataSet(data.edges.map(function (e, i) {
    var edge = Object.assign({ id: "e" + i }, e);
    return Object.assign(edge, edgeStyle(edge));
  }));
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    physics: false,
    layout: { improvedLayout: false },
    interaction: { hover: true, tooltipDelay: 150, multiselect: false, keyboard: false },
    edges: { smooth: false, arrows: { to: { scaleFactor: 0.5 } }, selectionWidth: 0 },
    nodes: { shape: "box", margin: 7, borderWidth: 1, scaling: { label: { drawThreshold: FONT * NAMES_FROM + 1 } } }
  });

  // ---- unit regions and semantic zoom: far out, each region carries its unit's name over its topics ----
  var hidden = {};
  function unitColour(u) { return dark() ? mix(u.colour, "#ffffff", 0.55) : u.colour; }
  network.on("beforeDrawing", function (ctx) {
    var scale = network.getScale(), th = theme();
    ctx.canvas.parentNode.style.background = th.bg;
    data.units.forEach(function (u) {
      if (!u.region || hidden[u.id]) return;
      var r = u.region;
      ctx.save();
      ctx.globalAlpha = th.region;
      ctx.fillStyle = u.colour;
      ctx.beginPath();
      ctx.roundRect(r[0], r[1], r[2] - r[0], r[3] - r[1], 24);
      ctx.fill();
      ctx.restore();
      if (scale < NAMES_FROM) return;  // near in: a heading in the region's top band
      ctx.save();
      ctx.fillStyle = unitColour(u);
      ctx.font = "bold 24px sans-serif";
      ctx.textBaseline = "top";
      ctx.fillText(u.id + " " + u.title + (u.mark ? "  ·  " + u.mark : "") + "  ·  " + u.written + "/" + u.topics + " 已撰写", r[0] + 18, r[1] + 14);
      ctx.restore();
    });
  });
  var plates = [];  // the unit name plates last drawn (canvas coordinates), for tests: window.atlasMap.plates
  network.on("afterDrawing", function (ctx) {
    var scale = network.getScale(), th = theme();
    plates.length = 0;
    if (scale >= NAMES_FROM) return;
    data.units.forEach(function (u) {
      // Far out: the unit's name at 11-16 px on screen, on a plate no wider than the unit's region (the title is
      // shortened with "…" when even 11 px would not fit) and the count below it when the region is tall enough,
      // so that no name runs over a neighbour's.
      if (!u.region || hidden[u.id]) return;
      var r = u.region, w = r[2] - r[0], h = r[3] - r[1], cx = r[0] + w / 2, cy = (r[1] + r[3]) / 2;
      var title = u.title + (u.mark ? " · " + u.mark : ""), count = u.written + "/" + u.topics + " 已撰写";
      var room = w * scale * 0.94;  // screen px
      ctx.save();
      ctx.font = "bold 100px sans-serif";
      var perPx = ctx.measureText(u.id + " " + title).width / 100 + 1;  // + the plate's padding
      var screenPx = Math.min(16, Math.max(11, room / perPx)), px = screenPx / scale;
      ctx.font = "bold " + px + "px sans-serif";
      var label = u.id + " " + title;
      while (title.length > 1 && ctx.measureText(label).width + px > w * 0.94) {
        title = title.slice(0, -1);
        label = u.id + " " + title + "…";
      }
      var withCount = h * scale >= screenPx * 3;
      var tw = Math.min(w * 0.94, Math.max(ctx.measureText(label).width,
                                           withCount ? ctx.measureText(count).width * 0.8 : 0) + px);
      ctx.globalAlpha = 0.88;
      ctx.fillStyle = th.bg;
      ctx.beginPath();
      var half = px * (withCount ? 1.3 : 0.75), box = [cx - tw / 2, cy - half, cx + tw / 2, cy + half];
      ctx.roundRect(box[0], box[1], tw, 2 * half, px / 3);
      plates.push({ unit: u.id, region: r, label: label, px: screenPx, box: box });
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.fillStyle = unitColour(u);
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(label, cx, withCount ? cy - px * 0.5 : cy);
      if (withCount) {
        ctx.font = (px * 0.8) + "px sans-serif";
        ctx.fillText(count, cx, cy + px * 0.7);
      }
      ctx.restore();
    });
  });

  // ---- views ----
  function union(list) {
    var boxes = list.map(function (u) { return u.region; }).filter(Boolean);
    return [Math.min.apply(null, boxes.map(function (b) { return b[0]; })),
            Math.min.apply(null, boxes.map(function (b) { return b[1]; })),
            Math.max.apply(null, boxes.map(function (b) { return b[2]; })),
            Math.max.apply(null, boxes.map(function (b) { return b[3]; }))];
  }
  function visibleUnits() { return data.units.filter(function (u) { return u.region && !hidden[u.id]; }); }
  // Show a box: fitted when that keeps names readable (or when `overview`), else at a readable scale from its
  // top-left corner.
  function show(box, overview, animate) {
    var W = container.clientWidth, H = container.clientHeight, w = box[2] - box[0], h = box[3] - box[1];
    var scale = Math.min(W / w, H / h) * 0.96, x = (box[0] + box[2]) / 2, y = (box[1] + box[3]) / 2;
    if (!overview && scale < READABLE) {  // readable first: from the top-left corner, the rest a pan away
      scale = Math.min(READABLE, Math.max(W / w, H / h));
      if (w * scale > W) x = box[0] + W / 2 / scale;
      y = box[1] + H / 2 / scale;
    }
    network.moveTo({ position: { x: x, y: y }, scale: Math.min(scale, 1.3),
                     animation: animate ? { duration: 250, easingFunction: "easeInOutQuad" } : false });
  }
  function home(animate) {
    var units = visibleUnits(), wanted = /^#unit-(.+)$/.exec(window.location.hash);
    if (!units.length) return;
    if (wanted && unitById[decodeURIComponent(wanted[1])] && !hidden[decodeURIComponent(wanted[1])]) {
      show(unitById[decodeURIComponent(wanted[1])].region, false, animate);  // map.html#unit-4: that unit
      return;
    }
    if (container.clientWidth < 700) { show(union(units), true, animate); return; }  // a phone: the units first
    var top = units[0].region[1];
    show(union(units.filter(function (u) { return u.region[1] === top; })), false, animate);
  }
  function overview(animate) { if (visibleUnits().length) show(union(visibleUnits()), true, animate); }
  function zoomBy(factor) {
    network.moveTo({ position: network.getViewPosition(), scale: network.getScale() * factor,
                     animation: { duration: 150, easingFunction: "easeInOutQuad" } });
  }
  function panBy(dx, dy) {
    var p = network.getViewPosition(), s = network.getScale();
    network.moveTo({ position: { x: p.x + dx / s, y: p.y + dy / s } });
  }
  home(false);

  // ---- paths and selection ----
  var successors = {};
  Object.keys(topics).forEach(function (id) {
    topics[id].prereqs.forEach(function (p) { (successors[p] = successors[p] || []).push(id); });
  });
  function closure(id, next) {
    var seen = {}, stack = [id];
    while (stack.length) {
      var cur = stack.pop();
      (next(cur) || []).forEach(function (x) { if (!seen[x]) { seen[x] = true; stack.push(x); } });
    }
    return seen;
  }
  function byOrder(a, b) { return topics[a].order - topics[b].order; }
  function learningPath(id) {
    var need = closure(id, function (x) { return topics[x].prereqs; });
    need[id] = true;
    var order = [], done = {};
    function visit(x) {
      if (done[x]) return;
      done[x] = true;
      topics[x].prereqs.slice().sort(byOrder).forEach(visit);
      order.push(x);
    }
    Object.keys(need).sort(byOrder).forEach(visit);
    return order;
  }
  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }
  function name(id) { return topics[id].id + " " + topics[id].title; }

  var panel = document.getElementById("atlas-map-panel");
  var selected = null;
  function restyle() {
    var up = selected ? closure(selected, function (x) { return topics[x].prereqs; }) : {};
    var down = selected ? closure(selected, function (x) { return successors[x]; }) : {};
    nodes.update(Object.keys(topics).map(function (id) {
      return nodeStyle(id, selected !== null && !(id === selected || up[id] || down[id]));
    }));
    edges.update(edges.get().map(function (e) {
      if (!selected) return edgeStyle(e);
      var lit = (e.to === selected || up[e.to]) && (up[e.from] || e.from === selected) ||
                (e.from === selected || down[e.from]) && (down[e.to] || e.to === selected);
      return edgeStyle(e, !!lit);
    }));
  }
  function select(id) {
    selected = id;
    restyle();
    network.selectNodes([id]);
    var path = learningPath(id);
    var hours = path.reduce(function (s, x) { return s + (topics[x].hours || 0); }, 0);
    var unwritten = path.filter(function (x) { return !topics[x].written; }).length;
    var down = closure(id, function (x) { return successors[x]; });
    panel.textContent = "";
    panel.appendChild(text("p", name(id) + "：学习路径 " + path.length + " 个主题，共 " +
      Math.round(hours * 10) / 10 + " 小时" + (unwritten ? "（" + unwritten + " 个尚未撰写，未计学时）" : ""),
      "atlas-map-path-head"));
    var list = document.createElement("ol");
    list.className = "atlas-map-path";
    path.forEach(function (x) {
      var li = document.createElement("li");
      var a = text("a", name(x));
      a.href = topics[x].href;
      li.appendChild(a);
      li.appendChild(text("span", topics[x].written ? " · " + topics[x].hours + " 小时" : " · 尚未撰写"));
      list.appendChild(li);
    });
    panel.appendChild(list);
    panel.appendChild(text("p", "学完可以继续：" +
      (Object.keys(down).sort(byOrder).map(function (x) { return topics[x].id; }).join("、") || "无")));
  }
  function clear() {
    selected = null;
    network.unselectAll();
    restyle();
  }

  var openBox = document.getElementById("atlas-map-open");
  network.on("click", function (params) {
    var id = params.nodes.length ? params.nodes[0] : null;
    if (id && topics[id]) {
      if (openBox && openBox.checked) { window.location.href = topics[id].href; } else { select(id); }
      return;
    }
    var p = params.pointer.canvas;
    var unit = network.getScale() < NAMES_FROM && visibleUnits().filter(function (u) {
      var r = u.region;
      return p.x >= r[0] && p.x <= r[2] && p.y >= r[1] && p.y <= r[3];
    })[0];
    if (unit) { show(unit.region, false, true); } else { clear(); }
  });

  // ---- keyboard and buttons: the canvas takes focus (vis gives it tabindex 0) ----
  var frame = container.querySelector(".vis-network");
  frame.setAttribute("role", "application");
  frame.setAttribute("aria-label", container.getAttribute("data-label") || "");
  frame.addEventListener("keydown", function (ev) {
    var step = 120, keys = {
      ArrowLeft: function () { panBy(-step, 0); }, ArrowRight: function () { panBy(step, 0); },
      ArrowUp: function () { panBy(0, -step); }, ArrowDown: function () { panBy(0, step); },
      "+": function () { zoomBy(1.25); }, "=": function () { zoomBy(1.25); },
      "-": function () { zoomBy(0.8); }, "_": function () { zoomBy(0.8); },
      "0": function () { overview(true); }, Escape: clear
    };
    if (keys[ev.key] && !ev.ctrlKey && !ev.metaKey && !ev.altKey) { ev.preventDefault(); keys[ev.key](); }
  });
  function button(id, action) {
    var b = document.getElementById(id);
    if (b) b.addEventListener("click", action);
  }
  button("atlas-map-zoom-in", function () { zoomBy(1.25); });
  button("atlas-map-zoom-out", function () { zoomBy(0.8); });
  button("atlas-map-fit", function () { overview(true); });

  // ---- search: Chinese substring, English words, full pinyin or initials (hhs -> 红黑树) ----
  var input = document.getElementById("atlas-map-search");
  var results = document.getElementById("atlas-map-results");
  function matches(q) {
    q = q.trim().toLowerCase();
    if (!q) return [];
    return Object.keys(topics).filter(function (id) {
      var t = topics[id];
      return t.id === q || t.title.toLowerCase().indexOf(q) >= 0 || t.en.toLowerCase().indexOf(q) >= 0 ||
        (/^[a-z0-9]+$/.test(q) && (t.pinyin.indexOf(q) >= 0 || t.initials.indexOf(q) >= 0));
    }).sort(byOrder);
  }
  input.addEventListener("input", function () {
    results.textContent = "";
    matches(input.value).slice(0, 12).forEach(function (id) {
      var b = text("button", name(id), "atlas-map-hit");
      b.type = "button";
      b.dataset.topic = topics[id].id;
      b.addEventListener("click", function () {
        if (hidden[topics[id].unit]) setUnit(topics[id].unit, true);
        select(id);
        network.focus(id, { scale: 1.0, animation: false });
      });
      results.appendChild(b);
    });
  });

  // ---- units can be shown and hidden; the view refits to what is left ----
  var unitBox = document.getElementById("atlas-map-units");
  var boxes = {};
  function setUnit(unitId, shown) {
    hidden[unitId] = !shown;
    boxes[unitId].checked = shown;
    nodes.update(Object.keys(topics).filter(function (id) { return topics[id].unit === unitId; })
      .map(function (id) { return { id: id, hidden: !shown }; }));
  }
  unitBox.querySelectorAll("input[data-unit]").forEach(function (box) {  // the labels are in the page already
    boxes[box.dataset.unit] = box;
    box.addEventListener("change", function () { setUnit(box.dataset.unit, box.checked); home(true); });
  });

  // ---- the reader's palette can change at any time ----
  new MutationObserver(function () { restyle(); network.redraw(); })
    .observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

  window.atlasMap = { network: network, nodes: nodes, edges: edges, topics: topics, drawn: false, select: select,
                      plates: plates,
                      clear: clear, home: home, overview: overview, startedAt: startedAt };
  network.once("afterDrawing", function () {
    window.atlasMap.drawn = true;
    window.atlasMap.drawnAt = performance.now();
    requestAnimationFrame(function () { window.atlasMap.shownAt = performance.now(); });  // the frame that shows it
    document.dispatchEvent(new CustomEvent("atlas:map-ready"));
  });
  network.redraw();  // draw now, not on a later frame: the page's other scripts still load after this one
})();
