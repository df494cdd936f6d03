/* govkg page: draws the graph with vis-network at the positions computed in Python, and wires search,
   panels, filters, controls, keys, the view in the URL, export and the language switch.
   Every text from the graph reaches the page through textContent, never as HTML. */
(function () {
  "use strict";
  var timing = { start: performance.now() };  // ms since navigation began, for bench/page.py
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  timing.parsed = performance.now();
  var api = window.govkg;  // made by i18n.js
  var t = api.t, i18n = api.i18n;
  var RANK = { possibly: 1, likely: 2, asserted: 3, necessarily: 4 };
  var OVERVIEW_PX = 12;       // the overview's labels, on screen, whatever the zoom
  var OVERVIEW_MAX = 80;      // labels at most, so they never cover the map
  var OVERVIEW_TRY = 1500;    // concepts looked at, best linked first: a bounded cost per frame
  var GROUP = "group:";       // ids of the groups a big graph opens on
  var SMOOTH_MAX = 1500;      // concepts and links drawn: above, the camera jumps instead of gliding

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function both(k) { return k.en && k.en !== k.zh ? k.zh + " · " + k.en : k.zh; }
  // A concept's name in the label language the reader chose.
  function named(k) { return labels === "en" ? k.en || k.zh : labels === "both" ? both(k) : k.zh; }
  function sureness(c) {
    var level = c.certainty || c.modality;
    return c.hedge ? c.hedge + " · " + level : level + " " + t("claim.nohedge");
  }
  function actorsText(c) {
    var parts = [];
    if (c.agent.length) parts.push(t("claim.agent") + c.agent.join(", "));
    if (c.target.length) parts.push(t("claim.target") + c.target.join(", "));
    return parts.join(" → ");
  }
  function claimHead(c) {
    return c.relation === "definition" ? c.cause + "  " + t("claim.definition") : c.cause + " → " + c.effect + "  (" + c.tag + ")";
  }
  // A label drawn on the map: long ones on two lines (as render.py wraps them).
  function wrap(s) {
    if (s.indexOf(" ") >= 0 && s.length > 24) {
      var out = [], line = "";
      s.split(" ").forEach(function (w) {
        if (line && (line + " " + w).length > 24) { out.push(line); line = w; } else line = line ? line + " " + w : w;
      });
      if (line) out.push(line);
      return out.join("\n");
    }
    if (s.length > 12 && /^[^\u0000-\u2e7f]+$/.test(s)) { var h = Math.ceil(s.length / 2); return s.slice(0, h) + "\n" + s.slice(h); }
    return s;
  }
  function mapLabel(k) {
    if (labels === "en") return wrap(k.en || k.zh);
    if (labels === "both") return k.en && k.en !== k.zh ? wrap(k.zh) + "\n" + wrap(k.en) : wrap(k.zh);
    return wrap(k.zh);
  }

  // ---- the network, drawn at once: positions come from Python, physics is off ----
  var nodeById = {}, degree = {};
  data.nodes.forEach(function (n) { nodeById[n.id] = n; degree[n.id] = 0; });
  data.edges.forEach(function (e) { degree[e.from]++; degree[e.to]++; });
  var byDegree = data.nodes.map(function (n) { return n.id; })
    .sort(function (a, b) { return degree[b] - degree[a] || (a < b ? -1 : 1); });
  var home = {};  // where Python placed each concept
  data.nodes.forEach(function (n) { home[n.id] = { x: n.x, y: n.y }; });

  var labels = data.lang;
  var edgeById = {};
  data.edges.forEach(function (e) { edgeById[e.id] = e; });

  // ---- groups: a graph too big to draw one by one opens on groups of related concepts ----
  // vis-network is handed only what is open: a node per closed group, one link per pair of groups
  // (or per concept and closed group), and the concepts and links of the open groups.
  var groups = data.groups || [], groupOf = {}, opened = {}, hubOf = [];
  groups.forEach(function (members, k) {
    members.forEach(function (id) { groupOf[id] = k; });
    hubOf.push(members.slice().sort(function (a, b) { return degree[b] - degree[a] || (a < b ? -1 : 1); })[0]);
  });
  function groupId(k) { return GROUP + k; }
  function groupNode(k) {
    var members = groups[k], x = 0, y = 0, r = 0, hub = nodeById[hubOf[k]].kg;
    members.forEach(function (id) { x += home[id].x; y += home[id].y; });
    x /= members.length; y /= members.length;
    members.forEach(function (id) { r = Math.max(r, Math.hypot(home[id].x - x, home[id].y - y)); });
    // As big as the place its concepts take when it opens (less a margin), so the map keeps its shape.
    return { id: groupId(k), x: x, y: y, shape: "dot", size: Math.max(30, r * 0.7), borderWidth: 2,
             color: { background: "#dfe9f3", border: "#3a6ea5", highlight: { background: "#c7dbef", border: "#1d4f85" },
                      hover: { background: "#c7dbef", border: "#1d4f85" } },
             label: t("cluster.label", { label: named(hub), n: members.length - 1 }),
             font: { size: 16, strokeWidth: 4, strokeColor: "#ffffff" } };
  }
  // What a link is drawn as now: itself, a link to a closed group, a link between groups, or nothing (inside a closed group).
  function drawnAs(e) {
    var a = groupOf[e.from], b = groupOf[e.to], oa = a === undefined || opened[a], ob = b === undefined || opened[b];
    if (oa && ob) return e;
    if (a === b) return null;
    var from = oa ? e.from : groupId(a), to = ob ? e.to : groupId(b);
    return { id: "via:" + from + ">" + to, from: from, to: to, color: { color: "#9fb3c8", highlight: "#3a6ea5", hover: "#3a6ea5" },
             width: 1, arrows: { to: { enabled: true, scaleFactor: 0.5 } }, smooth: false };
  }
  function drawnNow() {
    var ns = [], es = {};
    data.nodes.forEach(function (n) { if (groupOf[n.id] === undefined || opened[groupOf[n.id]]) ns.push(n); });
    groups.forEach(function (_, k) { if (!opened[k]) ns.push(groupNode(k)); });
    data.edges.forEach(function (e) { var d = drawnAs(e); if (d && !es[d.id]) es[d.id] = d; });
    return { nodes: ns, edges: Object.keys(es).map(function (id) { return es[id]; }) };
  }
  var start = groups.length ? drawnNow() : data;
  var nodes = new vis.DataSet(start.nodes);
  var edges = new vis.DataSet(start.edges);
  var container = document.getElementById("graph");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  timing.network = performance.now();

  // One redraw per frame, however many changes ask for one. vis-network's own request draws at the
  // next frame even when something drew in between (a network.redraw(), an animation's frame): the
  // whole map twice. This one draws only if nothing did. (draw.js makes each redraw cheaper.)
  var renderer = network.renderer, emitter = network.body.emitter;
  if (renderer && typeof renderer._redraw === "function" && typeof network.listeners === "function" &&
      network.listeners("_requestRedraw").length === 1) {  // body.emitter is the network's own on/off/emit
    network.off("_requestRedraw");
    network.on("_requestRedraw", function () {
      if (renderer.redrawRequested === true || renderer.renderingActive !== false || renderer.allowRedraw !== true) return;
      renderer.redrawRequested = true;  // vis-network's _redraw sets it false: drawn since
      window.requestAnimationFrame(function () { if (renderer.redrawRequested === true) renderer._redraw(false); });
    });
  }
  function draw() { emitter.emit("_requestRedraw"); }
  // The camera moves in an animation only while a frame is cheap: each of its frames draws the whole map.
  function animated(ms) { return network.body.nodeIndices.length + network.body.edgeIndices.length <= SMOOTH_MAX ? { duration: ms } : false; }

  /* The hook for the page's other scripts (they run after this one):
       govkg.network, .nodes, .edges   vis-network's Network and DataSets
       govkg.data, govkg.nodeById      the page's data (nodes and edges with their kg fields)
       govkg.select(id), .reset(), .applyFilters(), .claimOn(claim), .showEdge(id)
                                       what the panel's controls do
       govkg.named(kgFields)           a concept's name in the label language the reader chose
       govkg.draw()                    redraw the map at the next frame (once, however often asked)
       govkg.animated(ms)              a camera animation of ms, or false when the map is too big to glide
       govkg.state                     the view: {selected, edge, ui, labels, filters}
       govkg.addState(key, {get, set}) one more field in the URL's hash: get() -> string ("" = absent),
                                       set(string) when a bookmarked view opens (after the page's own fields)
       govkg.changed(reason)           say the view changed: rewrites the URL, fires "govkg:view"
     and the document events "govkg:view" ({detail: {reason}}) after every change of the view,
     "govkg:lang" after a language switch (i18n.js), "govkg:ready" once drawn. */
  api.network = network; api.nodes = nodes; api.edges = edges; api.data = data; api.nodeById = nodeById;
  api.draw = draw; api.animated = animated;
  api.ready = false; api.selected = null; api.named = named;
  api.state = { selected: null, edge: null, ui: i18n.lang, labels: labels, filters: null };
  var stateFields = {};
  api.addState = function (key, field) { stateFields[key] = field; };
  api.changed = function (reason) {
    writeHash();
    document.dispatchEvent(new CustomEvent("govkg:view", { detail: { reason: reason } }));
  };

  // ---- the overview: the best-linked concepts labelled at a readable size, at any zoom ----
  // vis-network draws a label only once it is 11 px or more on screen; below, the page labels the
  // concepts that matter (the selection and its neighbours, else the most linked) without overlap.
  network.on("afterDrawing", function (ctx) {
    if (focus !== null) drawFocus(ctx);
    overview(ctx);
  });
  var widths = {};  // label widths, measured once per concept and label language
  var CELL = 64;  // px: placed labels are kept in a grid of cells, so a clash test looks at a few
  function overview(ctx) {
    var view = network.body.view, scale = view.scale, tx = view.translation.x, ty = view.translation.y;
    var ratio = network.canvas.pixelRatio || 1, w = container.clientWidth, h = container.clientHeight;
    var grid = {}, shown = [], body = network.body;
    var order = byDegree;
    if (groups.length) order = groupOrder().concat(byDegree);
    if (api.selected !== null && nodeById[api.selected]) {
      order = [api.selected].concat(network.getConnectedNodes(api.selected).filter(function (x) { return nodeById[x]; })
        .sort(function (a, b) { return degree[b] - degree[a]; }));
    }
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.font = OVERVIEW_PX + "px system-ui, 'Noto Sans CJK SC', sans-serif";
    ctx.textAlign = "center"; ctx.textBaseline = "top"; ctx.lineJoin = "round";
    ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.95)"; ctx.fillStyle = "#1a1a1a";
    function clash(box) {
      for (var cx = Math.floor(box[0] / CELL); cx <= Math.floor((box[0] + box[2]) / CELL); cx++) {
        for (var cy = Math.floor(box[1] / CELL); cy <= Math.floor((box[1] + box[3]) / CELL); cy++) {
          var cell = grid[cx + "," + cy];
          if (cell && cell.some(function (b) {
            return box[0] < b[0] + b[2] && b[0] < box[0] + box[2] && box[1] < b[1] + b[3] && b[1] < box[1] + box[3];
          })) return true;
        }
      }
      return false;
    }
    function keep(box) {
      for (var cx = Math.floor(box[0] / CELL); cx <= Math.floor((box[0] + box[2]) / CELL); cx++) {
        for (var cy = Math.floor(box[1] / CELL); cy <= Math.floor((box[1] + box[3]) / CELL); cy++) {
          (grid[cx + "," + cy] = grid[cx + "," + cy] || []).push(box);
        }
      }
    }
    for (var i = 0, tried = 0; i < order.length && shown.length < OVERVIEW_MAX && tried < OVERVIEW_TRY; i++) {
      var id = order[i], n = body.nodes[id];
      if (!n || n.options.hidden) continue;
      tried++;
      if (n.labelModule.fontOptions.size * scale >= 11) continue;  // vis-network draws this label itself
      var px = n.x * scale + tx, py = n.y * scale + ty;
      if (px < 0 || py < 0 || px > w || py > h) continue;
      var text = nodeById[id] ? named(nodeById[id].kg) : n.options.label, key = labels + i18n.lang + "\u0000" + id;
      var tw = widths[key] === undefined ? (widths[key] = ctx.measureText(text).width) : widths[key];
      var below = nodeById[id] ? Math.max(4, (n.shape.radius || 4) * scale) + 1 : -OVERVIEW_PX / 2;  // a group's name on it
      var cx = Math.min(Math.max(px, tw / 2 + 2), w - tw / 2 - 2);  // a label near the edge stays inside the map
      var box = [cx - tw / 2 - 2, py + below, tw + 4, OVERVIEW_PX + 3];
      if (clash(box)) continue;
      keep(box);
      shown.push(id);
      ctx.strokeText(text, cx, box[1] + 1);
      ctx.fillText(text, cx, box[1] + 1);
    }
    ctx.restore();
    api.overview = { ids: shown, px: OVERVIEW_PX };
  }

  // Opening a group: its concepts and the links now drawn differently replace the group's node.
  function openGroup(k) {
    k = String(k).replace(GROUP, "");
    if (!groups[k] || opened[k]) return;
    var before = {};
    edges.getIds().forEach(function (id) { before[id] = true; });
    opened[k] = true;
    var now = drawnNow(), keep = {};
    now.edges.forEach(function (e) { keep[e.id] = true; });
    edges.remove(Object.keys(before).filter(function (id) { return !keep[id]; }));
    nodes.remove(groupId(k));
    nodes.add(groups[k].map(function (id) { return Object.assign({}, nodeById[id], { label: mapLabel(nodeById[id].kg) }); }));
    edges.add(now.edges.filter(function (e) { return !before[e.id]; }));
    hiddenNow = { nodes: {}, edges: {} };  // the new ones take the filters
    applyFilters(true);
  }
  function groupOrder() {  // closed groups, biggest first
    return groups.map(function (_, k) { return k; }).filter(function (k) { return !opened[k]; })
      .sort(function (a, b) { return groups[b].length - groups[a].length || a - b; }).map(groupId);
  }
  // A concept inside a closed group: open it first.
  function reveal(id) { if (groupOf[id] !== undefined && !opened[groupOf[id]]) openGroup(groupOf[id]); }
  api.openGroup = openGroup;
  api.groups = groups;

  function settled() {
    network.fit();
    timing.ready = performance.now();
    api.timing = timing;
    api.ready = true;
    document.body.setAttribute("data-ready", "true");
    document.dispatchEvent(new CustomEvent("govkg:ready"));
  }

  // ---- details panel ----
  var details = document.getElementById("details");
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function showHint() {
    clear(details);
    var p = el("p", "hint", t("hint"));
    p.setAttribute("data-i18n", "hint");
    details.appendChild(p);
  }
  var shownNow = null;  // what the panel shows: ["node", id], ["edge", id] or null, redrawn on a language switch

  function showNode(id) {
    var n = nodeById[id], k = n.kg;
    shownNow = ["node", id];
    clear(details);
    details.appendChild(el("h3", null, both(k)));
    details.appendChild(el("div", "cls", t("class." + k.cls) + " · " + id));
    if (k.alt.length) details.appendChild(el("div", "alt", t("node.also", { alt: k.alt.join(", ") })));
    if (k.defZh) details.appendChild(el("p", "def", k.defZh));
    if (k.defEn) details.appendChild(el("p", "def", k.defEn));
    if (!k.defZh && !k.defEn) details.appendChild(el("p", "def", t("node.nodef")));
    if (k.definitions.length) {
      details.appendChild(el("h2", null, t("node.texts")));
      k.definitions.forEach(function (c) { details.appendChild(claimBox(c)); });
    }
    var mine = data.edges.filter(function (e) { return (e.from === id || e.to === id) && !hiddenNow.edges[e.id]; });  // pagetrace: shown links only
    if (mine.length) {
      details.appendChild(el("h2", null, t("node.links")));
      var ul = el("ul");
      mine.forEach(function (e) {
        var nc = e.kg.claims.length;
        var b = el("button", null, nodeById[e.from].kg.zh + " → " + nodeById[e.to].kg.zh + "  (" + e.kg.tag +
          ", " + t(nc > 1 ? "node.claims" : "node.claim", { n: nc }) + ")");
        b.type = "button";
        b.addEventListener("click", function () {
          reveal(e.from); reveal(e.to);
          network.selectEdges([e.id]); showEdge(e.id); api.changed("edge");
        });
        var li = el("li"); li.appendChild(b); ul.appendChild(li);
      });
      details.appendChild(ul);
    }
  }

  function row(dl, term, value) {
    if (!value) return;
    dl.appendChild(el("dt", null, t("dt." + term)));
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
      conj.appendChild(el("span", "label", t("claim.conjecture")));
      conj.appendChild(el("span", "text", c.conjecture));
      box.appendChild(conj);
    }
    if (c.gloss) box.appendChild(el("div", "gloss", c.gloss));
    var dl = el("dl");
    row(dl, "relation", t("relation." + c.relation));
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
  api.claimBox = claimBox;

  function showEdge(id) {
    var e = edgeById[id];
    if (!e) return;
    var k = e.kg;
    shownNow = ["edge", id];
    api.state.edge = id;
    clear(details);
    var title = k.kind === "condition"
      ? t("edge.condition", { from: nodeById[e.from].kg.zh, to: nodeById[e.to].kg.zh })
      : nodeById[e.from].kg.zh + " → " + nodeById[e.to].kg.zh + "  (" + k.tag + ")";
    details.appendChild(el("h3", null, title));
    var claims = k.claims.filter(claimOn);
    details.appendChild(el("div", "cls", t("edge.claims", { n: claims.length }) +
      (k.kind === "causal" ? t("edge.works", { n: k.works.length }) : "") +
      (claims.length < k.claims.length ? t("edge.hidden", { n: k.claims.length - claims.length }) : "")));
    if (k.kind !== "causal" && k.kind !== "condition") details.appendChild(el("div", "rel", t("relation." + k.kind)));
    claims.forEach(function (c) { details.appendChild(claimBox(c)); });
  }
  api.showEdge = showEdge;

  // ---- tooltips: built when hovered (from the current filters and language), as DOM elements ----
  function nodeTip(n) {
    var k = n.kg, d = el("div", "tip");
    d.appendChild(el("strong", null, both(k)));
    d.appendChild(el("div", "src", t("class." + k.cls)));
    if (k.defZh) d.appendChild(el("div", "q", k.defZh));
    if (k.defEn) d.appendChild(el("div", "q", k.defEn));
    return d;
  }
  function edgeTip(e) {
    var k = e.kg, d = el("div", "tip"), on = k.claims.filter(claimOn), first = on[0] || k.claims[0];
    var head = first.cause + " → " + first.effect;
    if (k.kind === "condition") head = t("tip.condition", { from: nodeById[e.from].kg.zh, to: first.effect });
    d.appendChild(el("strong", null, head + "  (" + k.tag + ")"));
    if (k.kind !== "causal" && k.kind !== "condition") d.appendChild(el("div", "rel", t("relation." + k.kind)));
    if (first.quotes.length) d.appendChild(el("div", "q", "「" + first.quotes[0] + "」"));
    d.appendChild(el("div", "src", first.sourceName + (first.locator ? ", " + first.locator : "")));
    d.appendChild(el("div", "src sure", sureness(first)));
    if (actorsText(first)) d.appendChild(el("div", "src actors", actorsText(first)));
    if (on.length > 1) d.appendChild(el("div", "src", t("tip.more", { n: on.length - 1, works: k.works.length })));
    return d;
  }
  api.nodeTip = nodeTip; api.edgeTip = edgeTip;
  network.on("hoverNode", function (p) {
    if (nodeById[p.node]) nodes.update({ id: p.node, title: api.nodeTip(nodeById[p.node]) });
    else if (String(p.node).indexOf(GROUP) === 0) {
      var k = +String(p.node).slice(GROUP.length);
      nodes.update({ id: p.node, title: el("div", "tip", t("cluster.title", { label: named(nodeById[hubOf[k]].kg), n: groups[k].length })) });
    }
  });
  network.on("hoverEdge", function (p) { var e = edgeById[p.edge]; if (e) edges.update({ id: p.edge, title: api.edgeTip(e) }); });

  // ---- neighbourhood highlight: a veil over the map, the neighbourhood drawn again on top ----
  // Changing the colour of every other concept and link through the DataSets costs seconds at
  // 1,000 concepts (vis-network rebuilds each one); a veil costs one redraw.
  var focus = null;  // {nodes: {id: true}, edges: {id: true}} while a concept is selected
  function highlight(id) {
    focus = { nodes: {}, edges: {} };
    focus.nodes[id] = true;
    network.getConnectedNodes(id).forEach(function (x) { focus.nodes[x] = true; });
    network.getConnectedEdges(id).forEach(function (x) { focus.edges[x] = true; });
    draw();
  }
  function unhighlight() {
    if (focus === null) return;
    focus = null;
    draw();
  }
  function drawFocus(ctx) {
    var vb = viewBox(), body = network.body, later = [];
    ctx.save();
    ctx.fillStyle = "rgba(252,252,251,0.86)";
    ctx.fillRect(vb.x - 50, vb.y - 50, vb.w + 100, vb.h + 100);
    ctx.restore();
    var shown = body.edgeIndices.filter(function (id) { return focus.edges[id]; });
    shown.forEach(function (id) { body.edges[id].draw(ctx); });
    shown.forEach(function (id) { body.edges[id].drawArrows(ctx); });
    body.nodeIndices.forEach(function (id) {
      if (!focus.nodes[id]) return;
      var r = body.nodes[id].draw(ctx);
      if (r && r.drawExternalLabel) later.push(r.drawExternalLabel);
    });
    later.forEach(function (f) { f(); });
  }
  api.isDimmed = function (id) { return focus !== null && !focus.nodes[id] && !focus.edges[id]; };
  api.veiled = function () { return focus !== null; };  // draw.js: the map under the veil
  api.highlightSet = function (ids, edgeIds) {  // pagetrace: a traced path drawn over the veil
    focus = { nodes: {}, edges: {} };
    ids.forEach(function (x) { focus.nodes[x] = true; });
    edgeIds.forEach(function (x) { focus.edges[x] = true; });
    draw();  // at the next frame, once with the camera's move
  };
  api.unhighlight = unhighlight;  // pagetrace

  function selectConcept(id, opts) {
    if (!nodeById[id]) return;
    opts = opts || {};
    reveal(id);
    api.selected = api.state.selected = id;
    api.state.edge = null;
    highlight(id);
    network.selectNodes([id]);
    if (opts.move !== false) {
      var glide = opts.animate === false ? false : animated(300);
      if (glide) glide.easingFunction = "easeInOutQuad";
      network.focus(id, { scale: Math.max(network.getScale(), 1.1), animation: glide });
    }
    showNode(id);
    if (opts.quiet !== true) api.changed("select");
  }
  function reset() {
    api.selected = api.state.selected = null;
    api.state.edge = null;
    shownNow = null;
    unhighlight();
    network.setSelection({ nodes: [], edges: [] });  // unselectAll() would draw the whole map at once
    showHint();
    search.value = "";
    clear(results);
    document.dispatchEvent(new CustomEvent("govkg:reset"));  // pagetrace: filters, path and source text clear too
    network.fit({ animation: animated(300) });
    api.changed("reset");
  }
  api.selectConcept = selectConcept;
  api.select = selectConcept;
  api.reset = reset;

  network.on("click", function (p) {
    if (p.nodes.length && String(p.nodes[0]).indexOf(GROUP) === 0) { openGroup(p.nodes[0]); api.changed("group"); return; }
    if (p.nodes.length) selectConcept(p.nodes[0], { move: false });
    else if (p.edges.length && edgeById[p.edges[0]]) {
      api.selected = api.state.selected = null; unhighlight(); showEdge(p.edges[0]); api.changed("edge");
    } else if (api.selected !== null || shownNow !== null) {
      api.selected = api.state.selected = null; api.state.edge = null; shownNow = null;
      unhighlight(); showHint(); api.changed("select");
    }
  });
  document.getElementById("reset").addEventListener("click", reset);

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
    if (q && !found.length) results.appendChild(el("li", "none", t("find.none")));
    found.forEach(function (f) {
      var k = nodeById[f.id].kg, b = el("button", null, both(k) + "  ·  " + t("class." + k.cls));
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
  api.state.filters = filters;
  // Does a claim pass the claim filters? A norm (no certainty) passes no minimum, as in `kg chain --min-certainty`.
  function claimOn(c) {
    if (!filters.sources[c.source]) return false;
    if (!filters.relations[c.relation]) return false;
    if (filters.actor && c.actors.indexOf(filters.actor) < 0) return false;
    if (filters.certainty && !(c.certainty && RANK[c.certainty] >= RANK[filters.certainty])) return false;
    return true;
  }
  var hiddenNow = { nodes: {}, edges: {} };
  function applyFilters(quiet) {
    var classes = checked("class-filter");
    filters.sources = checked("source-filter");
    filters.relations = checked("relation-filter");
    filters.actor = actorFilter.value;
    filters.certainty = certaintyFilter.value;
    filters.classes = classes;
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
    // Hidden is set on vis-network's own nodes and links and its list of drawn ones rebuilt once:
    // an update through the DataSets makes it rebuild every concept (seconds at 1,000 concepts).
    var body = network.body, changed = false;
    data.nodes.forEach(function (n) {
      var hide = !shownNode[n.id];
      if (hide === !!hiddenNow.nodes[n.id]) return;
      hiddenNow.nodes[n.id] = hide; changed = true;
      if (body.nodes[n.id]) body.nodes[n.id].options.hidden = hide;
    });
    data.edges.forEach(function (e) {
      var hide = !visibleEdge[e.id];
      if (hide === !!hiddenNow.edges[e.id]) return;
      hiddenNow.edges[e.id] = hide; changed = true;
      if (body.edges[e.id]) body.edges[e.id].options.hidden = hide;
    });
    if (changed) {
      if (typeof network._updateVisibleIndices === "function") network._updateVisibleIndices();
      else body.emitter.emit("_dataChanged");
      draw();
    }
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
    if (open.length && api.selected === null && edgeById[open[0]]) showEdge(open[0]);
    // pagetrace: the concept panel, search and paths follow the filters (govkg:filters)
    if (api.selected !== null && shownNow && shownNow[0] === "node") showNode(api.selected);
    document.dispatchEvent(new CustomEvent("govkg:filters"));
    if (quiet !== true) api.changed("filters");
  }
  document.querySelectorAll("input.class-filter, input.source-filter, input.relation-filter").forEach(function (b) {
    b.addEventListener("change", applyFilters);
  });
  actorFilter.addEventListener("change", applyFilters);
  certaintyFilter.addEventListener("change", applyFilters);
  api.applyFilters = applyFilters;
  api.isHidden = function (id) { return !!hiddenNow.nodes[id]; };
  api.isEdgeHidden = function (id) { return !!hiddenNow.edges[id]; };
  api.claimOn = claimOn;
  api.claimBox = claimBox; api.showNode = showNode;  // pagetrace
  api.el = el; api.clear = clear;  // the page's other scripts build their elements with these

  // ---- controls: zoom, fit, physics on demand, the panel, export, languages ----
  function zoomBy(f) {
    network.moveTo({ scale: network.getScale() * f, animation: animated(150) });
  }
  function fit() { network.fit({ animation: animated(250) }); }
  var physicsOn = false;
  function physics(on) {
    physicsOn = on;
    network.setOptions({ physics: { enabled: on } });
    document.getElementById("ctl-physics").setAttribute("aria-pressed", String(on));
  }
  function panel(open) {
    document.body.classList.toggle("panel-closed", !open);
    document.getElementById("ctl-panel").setAttribute("aria-expanded", String(open));
    network.redraw();
  }
  api.panel = panel;
  document.getElementById("ctl-zoomin").addEventListener("click", function () { zoomBy(1.3); });
  document.getElementById("ctl-zoomout").addEventListener("click", function () { zoomBy(1 / 1.3); });
  document.getElementById("ctl-fit").addEventListener("click", fit);
  document.getElementById("ctl-physics").addEventListener("click", function () { physics(!physicsOn); });
  document.getElementById("ctl-panel").addEventListener("click", function () {
    panel(document.body.classList.contains("panel-closed"));
  });
  document.getElementById("ctl-svg").addEventListener("click", function () { download(svgBlob(), "svg"); });
  document.getElementById("ctl-png").addEventListener("click", function () { pngBlob(function (b) { download(b, "png"); }); });
  var uiSelect = document.getElementById("ctl-lang"), labelSelect = document.getElementById("ctl-labels");
  uiSelect.addEventListener("change", function () { setUi(uiSelect.value); api.changed("lang"); });
  labelSelect.addEventListener("change", function () { setLabels(labelSelect.value); api.changed("labels"); });
  // Resizing the window (or turning a phone) keeps the map filling its box.
  window.addEventListener("resize", function () { network.redraw(); });

  function setUi(lang) {
    i18n.set(lang);
    api.state.ui = i18n.lang;
    uiSelect.value = i18n.lang;
  }
  function setLabels(mode) {
    if (["zh", "en", "both"].indexOf(mode) < 0 || mode === labels) return;
    labels = api.state.labels = mode;
    labelSelect.value = mode;
    relabel();
  }
  // The labels of what is drawn now, in the label language (groups' also in the interface's).
  function relabel() {
    nodes.update(nodes.getIds().map(function (id) {
      return nodeById[id] ? { id: id, label: mapLabel(nodeById[id].kg) }
                          : { id: id, label: groupNode(+String(id).slice(GROUP.length)).label };
    }));
  }
  document.addEventListener("govkg:lang", function () {
    uiSelect.value = i18n.lang;
    if (groups.length) relabel();
    if (shownNow === null) showHint();
    else if (shownNow[0] === "node") showNode(shownNow[1]);
    else showEdge(shownNow[1]);
    if (search.value) showResults();
  });

  // ---- keys: vis-network pans and zooms when the map has the focus; these work anywhere but in a field ----
  var PAN = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  function neighbour(step) {
    if (api.selected === null) { if (byDegree.length) selectConcept(byDegree[0]); return; }
    var near = network.getConnectedNodes(api.selected).filter(function (x) { return nodeById[x] && !hiddenNow.nodes[x]; }).sort();
    if (!near.length) return;
    var at = near.indexOf(api.lastNeighbour);
    var next = near[((at < 0 ? (step > 0 ? -1 : 0) : at) + step + near.length) % near.length];
    var from = api.selected;
    selectConcept(next);
    api.lastNeighbour = from;
  }
  document.addEventListener("keydown", function (ev) {
    var typing = /^(INPUT|SELECT|TEXTAREA)$/.test((ev.target && ev.target.tagName) || "");
    if (ev.key === "Escape") { reset(); return; }
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "f" || ev.key === "F" || ev.key === "0") fit();
    else if (ev.key === "/") { ev.preventDefault(); panel(true); search.focus(); }
    else if (ev.key === "]") neighbour(1);
    else if (ev.key === "[") neighbour(-1);
    else if (ev.target === network.canvas.frame) return;  // vis-network's own keys pan and zoom there
    else if (ev.key === "+" || ev.key === "=") zoomBy(1.3);
    else if (ev.key === "-") zoomBy(1 / 1.3);
    else if (PAN[ev.key] && (ev.target === container || ev.target === document.body)) {
      ev.preventDefault();
      var at = network.getViewPosition(), step = 80 / network.getScale();
      network.moveTo({ position: { x: at.x + PAN[ev.key][0] * step, y: at.y + PAN[ev.key][1] * step } });
      later();
    }
  });

  // ---- the view in the URL: #sel=…&edge=…&ui=…&labels=…&hide=…&at=x,y,zoom ----
  function hiddenBoxes() {
    var off = [];
    document.querySelectorAll("input.class-filter, input.source-filter, input.relation-filter").forEach(function (b) {
      if (!b.checked) off.push(b.className.split("-")[0] + ":" + b.value);
    });
    return off.join(",");
  }
  function readState() {
    var p = new URLSearchParams(location.hash.replace(/^#/, "")), out = {};
    p.forEach(function (v, k) { out[k] = v; });
    return out;
  }
  var writing = false, applying = false;
  function writeHash() {
    if (applying) return;
    var p = new URLSearchParams(), pos = network.getViewPosition();
    if (api.selected !== null) p.set("sel", api.selected);
    else if (api.state.edge) p.set("edge", api.state.edge);
    var off = hiddenBoxes();
    if (off) p.set("hide", off);
    if (filters.actor) p.set("actor", filters.actor);
    if (filters.certainty) p.set("cert", filters.certainty);
    if (i18n.lang !== data.ui) p.set("ui", i18n.lang);
    if (labels !== data.lang) p.set("labels", labels);
    var open = Object.keys(opened).sort(function (a, b) { return a - b; });
    if (open.length) p.set("open", open.join(","));
    Object.keys(stateFields).forEach(function (k) { var v = stateFields[k].get(); if (v) p.set(k, v); });
    p.set("at", [Math.round(pos.x), Math.round(pos.y), network.getScale().toFixed(3)].join(","));
    var hash = "#" + p.toString();
    if (hash === location.hash) return;
    writing = true;
    try { history.replaceState(null, "", hash); } catch (e) { location.replace(hash); }
    writing = false;
  }
  function applyState(s) {
    applying = true;
    try {
      if (s.ui) setUi(s.ui);
      if (s.labels) setLabels(s.labels);
      var off = {};
      (s.hide || "").split(",").forEach(function (x) { if (x) off[x] = true; });
      document.querySelectorAll("input.class-filter, input.source-filter, input.relation-filter").forEach(function (b) {
        b.checked = !off[b.className.split("-")[0] + ":" + b.value];
      });
      actorFilter.value = s.actor || "";
      certaintyFilter.value = s.cert || "";
      applyFilters(true);
      (s.open || "").split(",").forEach(function (k) {
        if (k !== "") openGroup(k);
      });
      Object.keys(stateFields).forEach(function (k) { if (s[k] !== undefined) stateFields[k].set(s[k]); });
      if (s.sel && nodeById[s.sel]) selectConcept(s.sel, { move: false, quiet: true });
      else if (s.edge && edgeById[s.edge]) { reveal(edgeById[s.edge].from); reveal(edgeById[s.edge].to); network.selectEdges([s.edge]); showEdge(s.edge); }
      var at = (s.at || "").split(",").map(Number);
      if (at.length === 3 && at.every(isFinite) && at[2] > 0) network.moveTo({ position: { x: at[0], y: at[1] }, scale: at[2] });
      else if (s.sel && nodeById[s.sel]) network.focus(s.sel, { scale: Math.max(network.getScale(), 1.1) });
    } finally {
      applying = false;
    }
  }
  api.readState = readState;
  api.applyState = applyState;
  window.addEventListener("hashchange", function () { if (!writing) { applyState(readState()); api.changed("hash"); } });
  var moved = null;  // pans and zooms rewrite the URL once they stop
  function later() { clearTimeout(moved); moved = setTimeout(function () { api.changed("camera"); }, 250); }
  network.on("dragEnd", later);
  network.on("zoom", later);
  network.on("animationFinished", later);

  // ---- export: the current view as SVG (drawn from the data) or PNG (the canvas), as a download ----
  var SVGNS = "http://www.w3.org/2000/svg";
  function svgEl(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs).forEach(function (k) { if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function shapePath(shape, x, y, r) {
    function poly(pts) { return pts.map(function (p, i) { return (i ? "L" : "M") + (x + p[0] * r).toFixed(1) + " " + (y + p[1] * r).toFixed(1); }).join("") + "Z"; }
    if (shape === "square") return poly([[-1, -1], [1, -1], [1, 1], [-1, 1]]);
    if (shape === "diamond") return poly([[0, -1.2], [1.2, 0], [0, 1.2], [-1.2, 0]]);
    if (shape === "triangle") return poly([[0, -1.15], [1.1, 0.8], [-1.1, 0.8]]);
    if (shape === "hexagon") return poly([[-0.5, -0.9], [0.5, -0.9], [1, 0], [0.5, 0.9], [-0.5, 0.9], [-1, 0]]);
    if (shape === "star") {
      var pts = [];
      for (var i = 0; i < 10; i++) { var a = -Math.PI / 2 + i * Math.PI / 5, rr = i % 2 ? 0.5 : 1.2; pts.push([Math.cos(a) * rr, Math.sin(a) * rr]); }
      return poly(pts);
    }
    return "M" + (x - r) + " " + y + "a" + r + " " + r + " 0 1 0 " + 2 * r + " 0a" + r + " " + r + " 0 1 0 " + -2 * r + " 0Z";
  }
  function viewBox() {
    var w = container.clientWidth, h = container.clientHeight;
    var a = network.DOMtoCanvas({ x: 0, y: 0 }), b = network.DOMtoCanvas({ x: w, y: h });
    return { x: a.x, y: a.y, w: b.x - a.x, h: b.y - a.y, px: w, py: h };
  }
  function svgText() {
    var vb = viewBox(), scale = network.getScale();
    var svg = svgEl("svg", { xmlns: SVGNS, viewBox: [vb.x, vb.y, vb.w, vb.h].map(function (v) { return v.toFixed(1); }).join(" "),
                             width: vb.px, height: vb.py, "font-family": "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif" });
    svg.appendChild(svgEl("rect", { x: vb.x, y: vb.y, width: vb.w, height: vb.h, fill: "#ffffff" }));
    svg.appendChild(svgEl("title", {}, document.title));
    var inView = function (x, y, m) { return x > vb.x - m && x < vb.x + vb.w + m && y > vb.y - m && y < vb.y + vb.h + m; };
    var gEdges = svgEl("g", { "stroke-linecap": "round" }), gNodes = svgEl("g", {}), gText = svgEl("g", { "text-anchor": "middle" });
    var visible = {};
    network.body.nodeIndices.forEach(function (id) { var n = network.body.nodes[id]; if (n && !n.options.hidden) visible[id] = n; });
    network.body.edgeIndices.forEach(function (id) {
      var e = network.body.edges[id];
      if (!e || e.options.hidden || !visible[e.fromId] || !visible[e.toId]) return;
      var a = visible[e.fromId], b = visible[e.toId];
      if (!inView(a.x, a.y, 400) && !inView(b.x, b.y, 400)) return;
      var c = e.options.color || {}, colour = (api.isDimmed(id) ? "#e6e6e6" : c.color) || "#888888";
      var dash = Array.isArray(e.options.dashes) ? e.options.dashes.join(",") : e.options.dashes ? "5,5" : null;
      // From border to border, with an arrow head at the effect.
      var dx = b.x - a.x, dy = b.y - a.y, len = Math.hypot(dx, dy) || 1, ux = dx / len, uy = dy / len;
      var ra = (a.shape && a.shape.radius) || 10, rb = (b.shape && b.shape.radius) || 10;
      var x1 = a.x + ux * ra, y1 = a.y + uy * ra, x2 = b.x - ux * (rb + 2), y2 = b.y - uy * (rb + 2);
      gEdges.appendChild(svgEl("line", { x1: x1.toFixed(1), y1: y1.toFixed(1), x2: x2.toFixed(1), y2: y2.toFixed(1), stroke: colour,
                                         "stroke-width": e.options.width || 1, "stroke-dasharray": dash }));
      var head = e.options.arrows && e.options.arrows.to && e.options.arrows.to.type, s = 9;
      if (head === "bar") {
        gEdges.appendChild(svgEl("line", { x1: x2 - uy * s / 2, y1: y2 + ux * s / 2, x2: x2 + uy * s / 2, y2: y2 - ux * s / 2, stroke: colour, "stroke-width": 2.5 }));
      } else if (head === "circle") {
        gEdges.appendChild(svgEl("circle", { cx: x2, cy: y2, r: 3, fill: colour }));
      } else if (head) {
        var bx = x2 - ux * s, by = y2 - uy * s;
        gEdges.appendChild(svgEl("path", { d: "M" + x2.toFixed(1) + " " + y2.toFixed(1) + "L" + (bx - uy * s / 2).toFixed(1) + " " + (by + ux * s / 2).toFixed(1) +
                                              "L" + (bx + uy * s / 2).toFixed(1) + " " + (by - ux * s / 2).toFixed(1) + "Z", fill: head === "vee" ? "none" : colour, stroke: colour }));
      }
      if (e.options.label && 11 * scale >= 9) gText.appendChild(svgEl("text", { x: ((x1 + x2) / 2).toFixed(1), y: ((y1 + y2) / 2).toFixed(1), "font-size": 11, fill: colour }, e.options.label));
    });
    var labelled = {};
    (api.overview ? api.overview.ids : []).forEach(function (id) { labelled[id] = OVERVIEW_PX / scale; });
    Object.keys(visible).forEach(function (id) {
      var n = visible[id];
      if (!inView(n.x, n.y, 60)) return;
      var r = (n.shape && n.shape.radius) || n.options.size || 10;
      var col = n.options.color || {}, fill = api.isDimmed(id) ? "#eeeeee" : col.background || "#dfe9f3", stroke = api.isDimmed(id) ? "#d0d0d0" : col.border || "#444444";
      gNodes.appendChild(svgEl("path", { d: shapePath(n.options.shape, n.x, n.y, r), fill: fill, stroke: stroke, "stroke-width": 1.5 }));
      var size = n.labelModule.fontOptions.size * scale >= 11 ? n.labelModule.fontOptions.size : labelled[id];
      if (!size || !n.options.label) return;
      var lines = nodeById[id] && labelled[id] && n.labelModule.fontOptions.size * scale < 11 ? [named(nodeById[id].kg)] : String(n.options.label).split("\n");
      lines.forEach(function (line, i) {
        gText.appendChild(svgEl("text", { x: n.x.toFixed(1), y: (n.y + r + size * (i + 1)).toFixed(1), "font-size": size.toFixed(1),
                                          fill: api.isDimmed(id) ? "#c4c4c4" : "#222222", stroke: "#ffffff", "stroke-width": (size / 4).toFixed(1),
                                          "paint-order": "stroke" }, line));
      });
    });
    svg.appendChild(gEdges); svg.appendChild(gNodes); svg.appendChild(gText);
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(svg);
  }
  function svgBlob() { return new Blob([svgText()], { type: "image/svg+xml" }); }
  function pngBlob(done) {
    var src = network.canvas.frame.canvas, out = document.createElement("canvas");
    out.width = src.width; out.height = src.height;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(src, 0, 0);
    out.toBlob(done, "image/png");
  }
  function download(blob, ext) {
    var a = document.createElement("a"), url = URL.createObjectURL(blob);
    a.href = url;
    a.download = (api.selected ? "govkg-" + api.selected : "govkg-view") + "." + ext;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }
  api.svgText = svgText; api.pngBlob = pngBlob;

  // ---- open: the language first, then the view the URL names, then drawn ----
  if (data.groups && data.groups.length) {
    var note = document.getElementById("big-note");
    note.setAttribute("data-i18n", "big.clustered");
    note.setAttribute("data-i18n-vars", JSON.stringify({ n: data.nodes.length, k: groups.length }));
    note.hidden = false;
  }
  i18n.lang = "";  // so that set() applies the page's own language
  setUi(data.ui);
  labelSelect.value = labels;
  if (window.innerWidth < 700) panel(false);
  settled();
  var start = readState();
  if (Object.keys(start).length) applyState(start);
  showHintIfEmpty();
  function showHintIfEmpty() { if (shownNow === null) showHint(); }
})();
