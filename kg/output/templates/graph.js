/* govkg page script: draws the graph with vis-network and runs search, details, filters.
   Every text from the data goes into the page through textContent, never as HTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var RELATION = { causes: "causes", "form-of": "form of — a way of doing the other, not a cause",
                   "part-of": "part of — a component of the other, not a cause",
                   aim: "aim — a stated goal, not an observed effect", definition: "definition" };
  var RANK = { possibly: 1, likely: 2, asserted: 3, necessarily: 4 };
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
  // How sure the claim is, beside the text's own word: "就会 · likely", "必须 · obligation".
  function sureness(c) {
    var level = c.certainty || c.modality;
    return c.hedge ? c.hedge + " · " + level : level + " (no hedge word)";
  }
  // Who acts on whom, as the text names them: "agent: 县委书记 → target: 乡镇党委书记".
  function actorsText(c) {
    var parts = [];
    if (c.agent.length) parts.push("agent: " + c.agent.join(", "));
    if (c.target.length) parts.push("target: " + c.target.join(", "));
    return parts.join(" → ");
  }
  function claimHead(c) {
    return c.relation === "definition" ? c.cause + "  (definition)" : c.cause + " → " + c.effect + "  (" + c.tag + ")";
  }

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
    var k = e.kg, d = el("div", "tip");
    var on = window.govkg.claimOn, shown = on ? k.claims.filter(on) : k.claims, first = shown[0] || k.claims[0];  // pagetrace: shown claims
    var head = first.cause + " → " + first.effect;
    if (k.kind === "condition") head = nodeById[e.from].kg.zh + " : condition of → " + first.effect;
    d.appendChild(el("strong", null, head + "  (" + k.tag + ")"));
    if (k.kind !== "causal" && k.kind !== "condition") d.appendChild(el("div", "rel", RELATION[k.kind]));
    if (first.quotes.length) d.appendChild(el("div", "q", "「" + first.quotes[0] + "」"));
    d.appendChild(el("div", "src", first.sourceName + (first.locator ? ", " + first.locator : "")));
    d.appendChild(el("div", "src sure", sureness(first)));
    if (actorsText(first)) d.appendChild(el("div", "src actors", actorsText(first)));
    if (shown.length > 1) {
      d.appendChild(el("div", "src", "+ " + (shown.length - 1) + " more claim(s); " +
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
  /* The hook for the page's other scripts (they run after this one):
       govkg.network, .nodes, .edges   vis-network's Network and DataSets
       govkg.data, govkg.nodeById      the page's data (nodes and edges with their kg fields)
       govkg.select(id), .reset(), .applyFilters(), .claimOn(claim)   what the panel's controls do
       govkg.state                     the view: {selected, edge, filters, ui, labels}
       govkg.addState(key, {get, set}) one more field in the URL's hash: get() -> string ("" = absent),
                                       set(string) when a bookmarked view opens
       govkg.changed(reason)           say the view changed: writes the URL, fires "govkg:view"
     and the document events "govkg:view" ({detail: {reason}}) after every change of the view,
     "govkg:lang" after a language switch (i18n.js), "govkg:ready" once drawn. */
  var api = window.govkg;
  api.network = network; api.nodes = nodes; api.edges = edges; api.data = data; api.nodeById = nodeById;
  api.ready = false; api.selected = null;
  api.state = { selected: null, edge: null, filters: null, ui: api.i18n.lang, labels: data.lang };
  var stateFields = {};
  api.addState = function (key, field) { stateFields[key] = field; };
  api.changed = function (reason) {
    document.dispatchEvent(new CustomEvent("govkg:view", { detail: { reason: reason } }));
  };

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
    if (k.definitions.length) {
      details.appendChild(el("h2", null, "What the texts say it is"));
      k.definitions.forEach(function (c) { details.appendChild(claimBox(c)); });
    }
    var mine = edges.get({ filter: function (e) { return (e.from === id || e.to === id) && !e.hidden; } });  // pagetrace: shown links only
    if (mine.length) {
      details.appendChild(el("h2", null, "Links"));
      var ul = el("ul");
      mine.forEach(function (e) {
        var b = el("button", null, nodeById[e.from].kg.zh + " → " + nodeById[e.to].kg.zh + "  (" + e.kg.tag +
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

  function claimBox(c) {
    var box = el("div", "claim " + c.polarity + " rel-" + c.relation);
    box.setAttribute("data-claim", c.id);
    box.appendChild(el("strong", null, claimHead(c)));
    c.quotes.forEach(function (q) { box.appendChild(el("blockquote", "quote", q)); });
    if (c.conjecture) {
      // A reading proposed for a garbled stretch: the curator's, not the source's words.
      var conj = el("div", "conjecture");
      conj.appendChild(el("span", "label", "conjecture, not in the text: "));
      conj.appendChild(el("span", "text", c.conjecture));
      box.appendChild(conj);
    }
    if (c.gloss) box.appendChild(el("div", "gloss", c.gloss));
    var dl = el("dl");
    row(dl, "relation", RELATION[c.relation]);
    row(dl, "actors", actorsText(c));
    row(dl, c.hedge ? "hedge" : "certainty", sureness(c));
    row(dl, "source", c.sourceName);
    row(dl, "locator", c.locator);
    row(dl, "conditions", c.conditions.join("; "));
    row(dl, "evidence", c.evidence);
    row(dl, "scope", c.scope);
    row(dl, "chain", c.chain);
    row(dl, "note", c.note);
    row(dl, "claim", c.id);
    box.appendChild(dl);
    return box;
  }

  function showEdge(id) {
    var e = edges.get(id), k = e.kg;
    clear(details);
    var title = k.kind === "condition"
      ? nodeById[e.from].kg.zh + " — condition of claims about " + nodeById[e.to].kg.zh
      : nodeById[e.from].kg.zh + " → " + nodeById[e.to].kg.zh + "  (" + k.tag + ")";
    details.appendChild(el("h3", null, title));
    var claims = k.claims.filter(claimOn);
    details.appendChild(el("div", "cls", claims.length + " claim(s)" +
      (k.kind === "causal" ? " from " + k.works.length + " independent work(s)" : "") +
      (claims.length < k.claims.length ? "; " + (k.claims.length - claims.length) + " hidden by the filters" : "")));
    if (k.kind !== "causal" && k.kind !== "condition") details.appendChild(el("div", "rel", RELATION[k.kind]));
    claims.forEach(function (c) { details.appendChild(claimBox(c)); });
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
    document.dispatchEvent(new CustomEvent("govkg:reset"));  // pagetrace: search, filters, path and source text clear too
    network.fit({ animation: { duration: 300 } });
  }
  api.selectConcept = selectConcept;
  api.select = selectConcept;
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
    if (api.search) return api.search.show();  // pagetrace: filters.js searches quotes too
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
      if (api.search) return api.search.enter();  // pagetrace
      var found = matches(fold(search.value));
      if (found.length) selectConcept(found[0].id);
    }
  });

  // ---- filters: by class, by source, by relation, by actor, by certainty ----
  function checked(cls) {
    var on = {};
    document.querySelectorAll("input." + cls).forEach(function (b) { if (b.checked) on[b.value] = true; });
    return on;
  }
  var actorFilter = document.getElementById("actor-filter");
  var certaintyFilter = document.getElementById("certainty-filter");
  var filters = { sources: checked("source-filter"), relations: checked("relation-filter"), actor: "", certainty: "" };
  // Does a claim pass the claim filters? A norm (no certainty) passes no minimum, as in `kg chain --min-certainty`.
  function claimOn(c) {
    if (!filters.sources[c.source]) return false;
    if (!filters.relations[c.relation]) return false;
    if (filters.actor && c.actors.indexOf(filters.actor) < 0) return false;
    if (filters.certainty && !(c.certainty && RANK[c.certainty] >= RANK[filters.certainty])) return false;
    if (api.claimFilter && !api.claimFilter(c)) return false;  // pagetrace: filters.js's polarity
    return true;
  }
  function applyFilters() {
    var classes = checked("class-filter");
    filters.sources = checked("source-filter");
    filters.relations = checked("relation-filter");
    filters.actor = actorFilter.value;
    filters.certainty = certaintyFilter.value;
    var hasEdges = {}, visibleEdge = {}, shownNode = {}, linked = {};
    function classOn(id) { var c = nodeById[id].kg.cls; return c === "—" || classes[c] === true; }
    data.edges.forEach(function (e) {
      hasEdges[e.from] = hasEdges[e.to] = true;
      var any = e.kg.claims.some(claimOn) && (!api.edgeFilter || api.edgeFilter(e));  // pagetrace: works, tension
      visibleEdge[e.id] = any && classOn(e.from) && classOn(e.to);
      if (any) linked[e.from] = linked[e.to] = true;
    });
    // A concept whose every claim is filtered out goes too; one whose neighbours are hidden by
    // class stays (hiding actors should not hide the conditions they are linked to).
    data.nodes.forEach(function (n) {
      shownNode[n.id] = classOn(n.id) && (!hasEdges[n.id] || linked[n.id] === true);
    });
    nodes.update(data.nodes.map(function (n) { return { id: n.id, hidden: !shownNode[n.id] }; }));
    edges.update(data.edges.map(function (e) { return { id: e.id, hidden: !visibleEdge[e.id] }; }));
    var nc = 0, nl = 0, claims = {};
    data.nodes.forEach(function (n) { if (shownNode[n.id]) nc++; });
    data.edges.forEach(function (e) {
      if (!visibleEdge[e.id]) return;
      if (e.kg.kind !== "condition") nl++;
      e.kg.claims.forEach(function (c) { if (claimOn(c)) claims[c.id] = true; });
    });
    document.getElementById("count-concepts").textContent = nc;
    document.getElementById("count-links").textContent = nl;
    document.getElementById("count-claims").textContent = Object.keys(claims).length;
    // An open claim panel follows the filters.
    var open = network.getSelectedEdges();
    if (open.length && api.selected === null) showEdge(open[0]);
    // pagetrace: tooltips quote a shown claim; the concept panel, search and paths follow (govkg:filters)
    edges.update(data.edges.map(function (e) { return { id: e.id, title: edgeTip(e) }; }));
    if (api.selected !== null) showNode(api.selected);
    document.dispatchEvent(new CustomEvent("govkg:filters"));
  }
  document.querySelectorAll("input.class-filter, input.source-filter, input.relation-filter").forEach(function (b) {
    b.addEventListener("change", applyFilters);
  });
  actorFilter.addEventListener("change", applyFilters);
  certaintyFilter.addEventListener("change", applyFilters);
  api.applyFilters = applyFilters;
  api.claimOn = claimOn;
  api.claimBox = claimBox; api.showEdge = showEdge; api.showNode = showNode;  // pagetrace
})();
