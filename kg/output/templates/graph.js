/* govkg page script: draws the graph with vis-network and runs search, details, filters.
   Every text from the data goes into the page through textContent, never as HTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var SIGN = { positive: "+", negative: "−", mixed: "±", condition: "condition" };
  var DIM_NODE = { background: "#eeeeee", border: "#d0d0d0", highlight: { background: "#eeeeee", border: "#d0d0d0" },
                   hover: { background: "#eeeeee", border: "#d0d0d0" } };
  var DIM_EDGE = { color: "#e6e6e6", highlight: "#e6e6e6", hover: "#e6e6e6" };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function both(k) { return k.en && k.en !== k.zh ? k.zh + " · " + k.en : k.zh; }

  // ---- tooltips: DOM elements, so vis-network shows them as they are, never parsing HTML ----
  function nodeTip(n) {
    var k = n.kg, d = el("div", "tip");
    d.appendChild(el("strong", null, both(k)));
    d.appendChild(el("div", "src", k.cls));
    if (k.defZh) d.appendChild(el("div", "q", k.defZh));
    if (k.defEn) d.appendChild(el("div", "q", k.defEn));
    return d;
  }
  function edgeTip(e) {
    var k = e.kg, d = el("div", "tip"), first = k.claims[0];
    var head = first.cause + " → " + first.effect;
    if (k.kind === "condition") head = nodeById[e.from].kg.zh + " : condition of → " + first.effect;
    d.appendChild(el("strong", null, head + "  (" + SIGN[k.polarity] + ")"));
    if (first.quotes.length) d.appendChild(el("div", "q", "「" + first.quotes[0] + "」"));
    d.appendChild(el("div", "src", first.sourceName + (first.locator ? ", " + first.locator : "")));
    if (k.claims.length > 1) {
      d.appendChild(el("div", "src", "+ " + (k.claims.length - 1) + " more claim(s); " +
        k.works.length + " independent work(s). Click for all."));
    }
    return d;
  }

  var nodeById = {};
  data.nodes.forEach(function (n) { nodeById[n.id] = n; });
  data.nodes.forEach(function (n) { n.title = nodeTip(n); });
  data.edges.forEach(function (e) { e.title = edgeTip(e); });
  var original = { nodes: {}, edges: {} };
  // vis-network scales each label's size, so a node's font must stay an object, never undefined.
  data.nodes.forEach(function (n) { original.nodes[n.id] = { color: n.color, font: n.font || { color: "#222222" } }; });
  data.edges.forEach(function (e) { original.edges[e.id] = { color: e.color }; });

  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  var api = { network: network, nodes: nodes, edges: edges, ready: false, selected: null };
  window.govkg = api;

  function settled() {
    if (api.ready) return;
    // Stabilised: stop the simulation so the picture stays put (and the CPU idle).
    network.setOptions({ physics: { enabled: false } });
    network.fit();
    api.ready = true;
    document.body.setAttribute("data-ready", "true");
  }
  network.once("stabilizationIterationsDone", settled);
  if (!data.nodes.length) settled();

  // ---- details panel ----
  var details = document.getElementById("details");
  var hint = details.firstElementChild.cloneNode(true);  // the page's own hint, put back on reset
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function showHint() { clear(details); details.appendChild(hint.cloneNode(true)); }

  function showNode(id) {
    var n = nodeById[id], k = n.kg;
    clear(details);
    details.appendChild(el("h3", null, both(k)));
    details.appendChild(el("div", "cls", k.cls + " · " + id));
    if (k.alt.length) details.appendChild(el("div", "alt", "also: " + k.alt.join(", ")));
    if (k.defZh) details.appendChild(el("p", "def", k.defZh));
    if (k.defEn) details.appendChild(el("p", "def", k.defEn));
    if (!k.defZh && !k.defEn) details.appendChild(el("p", "def", "(no definition yet)"));
    var mine = edges.get({ filter: function (e) { return e.from === id || e.to === id; } });
    if (mine.length) {
      details.appendChild(el("h2", null, "Links"));
      var ul = el("ul");
      mine.forEach(function (e) {
        var b = el("button", null, nodeById[e.from].kg.zh + " → " + nodeById[e.to].kg.zh + "  (" + SIGN[e.kg.polarity] +
          ", " + e.kg.claims.length + " claim" + (e.kg.claims.length > 1 ? "s" : "") + ")");
        b.type = "button";
        b.addEventListener("click", function () { network.selectEdges([e.id]); showEdge(e.id); });
        var li = el("li"); li.appendChild(b); ul.appendChild(li);
      });
      details.appendChild(ul);
    }
  }

  function row(dl, term, value) {
    if (!value) return;
    dl.appendChild(el("dt", null, term));
    dl.appendChild(el("dd", null, value));
  }

  function showEdge(id) {
    var e = edges.get(id), k = e.kg, shown = activeSources();
    clear(details);
    var title = k.kind === "condition"
      ? nodeById[e.from].kg.zh + " — condition of claims about " + nodeById[e.to].kg.zh
      : nodeById[e.from].kg.zh + " → " + nodeById[e.to].kg.zh + "  (" + SIGN[k.polarity] + ")";
    details.appendChild(el("h3", null, title));
    var claims = k.claims.filter(function (c) { return shown[c.source]; });
    details.appendChild(el("div", "cls", claims.length + " claim(s)" +
      (k.kind === "causal" ? " from " + k.works.length + " independent work(s)" : "")));
    claims.forEach(function (c) {
      var box = el("div", "claim " + c.polarity);
      box.appendChild(el("strong", null, c.cause + " → " + c.effect + "  (" + SIGN[c.polarity] + ")"));
      c.quotes.forEach(function (q) { box.appendChild(el("blockquote", "quote", q)); });
      if (c.gloss) box.appendChild(el("div", "gloss", c.gloss));
      var dl = el("dl");
      row(dl, "source", c.sourceName);
      row(dl, "locator", c.locator);
      row(dl, "conditions", c.conditions.join("; "));
      row(dl, "hedge", c.hedge);
      row(dl, "evidence", c.evidence);
      row(dl, "scope", c.scope);
      row(dl, "chain", c.chain);
      row(dl, "note", c.note);
      row(dl, "claim", c.id);
      box.appendChild(dl);
      details.appendChild(box);
    });
  }

  // ---- neighbourhood highlight ----
  function highlight(id) {
    var keep = {};
    keep[id] = true;
    network.getConnectedNodes(id).forEach(function (x) { keep[x] = true; });
    nodes.update(data.nodes.map(function (n) {
      return keep[n.id] ? { id: n.id, color: original.nodes[n.id].color, font: original.nodes[n.id].font }
                        : { id: n.id, color: DIM_NODE, font: { color: "#c4c4c4" } };
    }));
    edges.update(data.edges.map(function (e) {
      var on = e.from === id || e.to === id;
      return { id: e.id, color: on ? original.edges[e.id].color : DIM_EDGE };
    }));
  }
  function unhighlight() {
    nodes.update(data.nodes.map(function (n) { return { id: n.id, color: original.nodes[n.id].color, font: original.nodes[n.id].font }; }));
    edges.update(data.edges.map(function (e) { return { id: e.id, color: original.edges[e.id].color }; }));
  }

  function selectConcept(id) {
    if (!nodeById[id]) return;
    api.selected = id;
    highlight(id);
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.1), animation: { duration: 400, easingFunction: "easeInOutQuad" } });
    showNode(id);
  }
  function reset() {
    api.selected = null;
    unhighlight();
    network.unselectAll();
    showHint();
    network.fit({ animation: { duration: 300 } });
  }
  api.selectConcept = selectConcept;
  api.reset = reset;

  network.on("click", function (p) {
    if (p.nodes.length) selectConcept(p.nodes[0]);
    else if (p.edges.length) { api.selected = null; unhighlight(); showEdge(p.edges[0]); }
    else if (api.selected !== null || details.firstElementChild !== null) { api.selected = null; unhighlight(); showHint(); }
  });
  document.getElementById("reset").addEventListener("click", reset);
  document.addEventListener("keydown", function (ev) { if (ev.key === "Escape") reset(); });

  // ---- search: ids and labels in any script, folded the way kg.quotes.fold folds ----
  var search = document.getElementById("search");
  var results = document.getElementById("results");
  function fold(s) {
    var out = "";
    for (var ch of s) out += data.fold[ch] || ch;
    return out.toLowerCase().trim();
  }
  function matches(q) {
    if (!q) return [];
    var found = [];
    data.nodes.forEach(function (n) {
      var keys = n.kg.search.split("\n"), best = 9;
      keys.forEach(function (k) {
        var s = k === q ? 0 : k.indexOf(q) === 0 ? 1 : k.indexOf(q) > 0 ? 2 : 9;
        if (s < best) best = s;
      });
      if (best < 9) found.push({ id: n.id, score: best, label: n.kg.zh });
    });
    found.sort(function (a, b) { return a.score - b.score || a.label.length - b.label.length || (a.id < b.id ? -1 : 1); });
    return found.slice(0, 12);
  }
  function showResults() {
    clear(results);
    var q = fold(search.value), found = matches(q);
    if (q && !found.length) results.appendChild(el("li", "none", "no concept matches"));
    found.forEach(function (f) {
      var k = nodeById[f.id].kg, b = el("button", null, both(k) + "  ·  " + k.cls);
      b.type = "button";
      b.setAttribute("data-id", f.id);
      b.addEventListener("click", function () { selectConcept(f.id); });
      var li = el("li"); li.appendChild(b); results.appendChild(li);
    });
  }
  search.addEventListener("input", showResults);
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var found = matches(fold(search.value));
      if (found.length) selectConcept(found[0].id);
    }
  });

  // ---- filters by class and by source ----
  function checked(cls) {
    var on = {};
    document.querySelectorAll("input." + cls).forEach(function (b) { if (b.checked) on[b.value] = true; });
    return on;
  }
  function activeSources() { return checked("source-filter"); }
  function applyFilters() {
    var classes = checked("class-filter"), sources = activeSources();
    var hasEdges = {}, visibleEdge = {}, shownNode = {};
    function classOn(id) { var c = nodeById[id].kg.cls; return c === "—" || classes[c] === true; }
    data.edges.forEach(function (e) {
      hasEdges[e.from] = hasEdges[e.to] = true;
      var bySource = e.kg.sources.some(function (s) { return sources[s]; });
      visibleEdge[e.id] = bySource && classOn(e.from) && classOn(e.to);
    });
    // A concept whose every claim is filtered out by source goes too; one whose neighbours are
    // hidden by class stays (hiding actors should not hide the conditions they are linked to).
    var linked = {};
    data.edges.forEach(function (e) {
      if (e.kg.sources.some(function (s) { return sources[s]; })) linked[e.from] = linked[e.to] = true;
    });
    data.nodes.forEach(function (n) {
      shownNode[n.id] = classOn(n.id) && (!hasEdges[n.id] || linked[n.id] === true);
    });
    nodes.update(data.nodes.map(function (n) { return { id: n.id, hidden: !shownNode[n.id] }; }));
    edges.update(data.edges.map(function (e) { return { id: e.id, hidden: !visibleEdge[e.id] }; }));
    var nc = 0, nl = 0, claims = {};
    data.nodes.forEach(function (n) { if (shownNode[n.id]) nc++; });
    data.edges.forEach(function (e) {
      if (!visibleEdge[e.id]) return;
      if (e.kg.kind === "causal") nl++;
      e.kg.claims.forEach(function (c) { if (sources[c.source]) claims[c.id] = true; });
    });
    document.getElementById("count-concepts").textContent = nc;
    document.getElementById("count-links").textContent = nl;
    document.getElementById("count-claims").textContent = Object.keys(claims).length;
  }
  document.querySelectorAll("input.class-filter, input.source-filter").forEach(function (b) {
    b.addEventListener("change", applyFilters);
  });
  api.applyFilters = applyFilters;
})();
