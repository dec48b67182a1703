// The interactive topic map: vis-network with positions fixed by the generator (physics off), plus search,
// unit toggles, prerequisite-chain highlighting and the learning path of the selected topic. Offline only.
(function () {
  var container = document.getElementById("atlas-map");
  var dataEl = document.getElementById("atlas-map-data");
  if (!container || !dataEl || typeof vis === "undefined") return;
  var data = JSON.parse(dataEl.textContent);
  var topics = data.topics;
  var topicNodes = data.nodes.filter(function (n) { return topics[n.id]; });  // the rest are unit labels
  var original = {};
  data.nodes.forEach(function (n) { original[n.id] = { color: n.color, font: n.font }; });
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges.map(function (e, i) {
    return Object.assign({ id: "e" + i, baseColor: e.color }, e);
  }));
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    physics: false,
    layout: { improvedLayout: false },
    interaction: { hover: true, tooltipDelay: 120, multiselect: false },
    edges: { smooth: false, arrows: { to: { scaleFactor: 0.5 } } },
    nodes: { shape: "box", margin: 6 }
  });
  window.atlasMap = { network: network, nodes: nodes, edges: edges, drawn: false, select: select };
  network.once("afterDrawing", function () { window.atlasMap.drawn = true; window.atlasMap.drawnAt = performance.now(); });
  document.dispatchEvent(new CustomEvent("atlas:map-ready"));

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
  function byOrder(a, b) { return topics[a].order - topics[b].order; }

  var panel = document.getElementById("atlas-map-panel");
  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }
  function select(id) {
    var up = closure(id, function (x) { return topics[x].prereqs; });
    var down = closure(id, function (x) { return successors[x]; });
    nodes.update(topicNodes.map(function (n) {
      var lit = n.id === id || up[n.id] || down[n.id];
      return { id: n.id, color: lit ? original[n.id].color : "#d6d6d6",
               borderWidth: n.id === id ? 4 : 1, font: { color: lit ? "#ffffff" : "#8a8a8a" } };
    }));
    edges.update(edges.get().map(function (e) {
      var lit = (e.to === id || up[e.to]) && (up[e.from] || e.from === id) ||
                (e.from === id || down[e.from]) && (down[e.to] || e.to === id);
      return { id: e.id, color: lit ? "#000000" : "#e5e5e5", width: lit ? 2.5 : 1 };
    }));
    network.selectNodes([id]);
    var path = learningPath(id);
    var hours = path.reduce(function (s, x) { return s + (topics[x].hours || 0); }, 0);
    var unwritten = path.filter(function (x) { return !topics[x].hours; }).length;
    panel.textContent = "";
    var head = text("p", id + " " + topics[id].title + "：学习路径 " + path.length + " 个主题，共 " +
      Math.round(hours * 10) / 10 + " 小时" + (unwritten ? "（" + unwritten + " 个尚未撰写，未计学时）" : ""));
    head.className = "atlas-map-path-head";
    panel.appendChild(head);
    var list = document.createElement("ol");
    list.className = "atlas-map-path";
    path.forEach(function (x) {
      var li = document.createElement("li");
      var a = text("a", x + " " + topics[x].title);
      a.href = topics[x].href;
      li.appendChild(a);
      if (topics[x].hours) li.appendChild(text("span", " · " + topics[x].hours + " 小时"));
      list.appendChild(li);
    });
    panel.appendChild(list);
    panel.appendChild(text("p", "学完可以继续：" + (Object.keys(down).sort(byOrder).join("、") || "无")));
  }
  function clear() {
    nodes.update(topicNodes.map(function (n) {
      return { id: n.id, color: original[n.id].color, borderWidth: 1, font: original[n.id].font };
    }));
    edges.update(edges.get().map(function (e) { return { id: e.id, color: e.baseColor, width: e.cross ? 2 : 1 }; }));
  }

  var openBox = document.getElementById("atlas-map-open");
  network.on("click", function (params) {
    if (!params.nodes.length || !topics[params.nodes[0]]) { clear(); return; }
    var id = params.nodes[0];
    if (openBox && openBox.checked) { window.location.href = topics[id].href; } else { select(id); }
  });

  // Search: Chinese substring, English words, full pinyin or initials (hhs -> 红黑树).
  var input = document.getElementById("atlas-map-search");
  var results = document.getElementById("atlas-map-results");
  function matches(q) {
    q = q.trim().toLowerCase();
    if (!q) return [];
    return Object.keys(topics).filter(function (id) {
      var t = topics[id];
      return id === q || t.title.toLowerCase().indexOf(q) >= 0 || t.en.toLowerCase().indexOf(q) >= 0 ||
        (/^[a-z0-9]+$/.test(q) && (t.pinyin.indexOf(q) >= 0 || t.initials.indexOf(q) >= 0));
    }).sort(byOrder);
  }
  input.addEventListener("input", function () {
    results.textContent = "";
    matches(input.value).slice(0, 12).forEach(function (id) {
      var b = text("button", id + " " + topics[id].title, "atlas-map-hit");
      b.type = "button";
      b.dataset.topic = id;
      b.addEventListener("click", function () {
        select(id);
        network.focus(id, { scale: 1.0, animation: false });
      });
      results.appendChild(b);
    });
  });

  // Units can be shown and hidden.
  var unitBox = document.getElementById("atlas-map-units");
  data.units.forEach(function (u) {
    var label = document.createElement("label");
    label.className = "atlas-map-unit";
    label.style.borderColor = u.colour;
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.dataset.unit = u.id;
    box.addEventListener("change", function () {
      nodes.update(data.nodes.filter(function (n) {
        return n.id === "unit:" + u.id || (topics[n.id] && topics[n.id].unit === u.id);
      })
        .map(function (n) { return { id: n.id, hidden: !box.checked }; }));
    });
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + u.id + " " + u.title));
    unitBox.appendChild(label);
  });
})();
