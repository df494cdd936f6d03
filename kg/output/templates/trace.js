/* govkg page: trace the causal paths from one concept to another, as `kg chain` finds them.

   A path follows causal links only, over the links and claims the filters leave (as kg chain --source,
   --min-certainty, --actor do), at most maxLen links, each concept once; listed shortest first.
   STATED or ASSEMBLED by kg.query.paths' rule: a source states a path when it has a claim on every link
   and joins every two consecutive links itself: consecutive links of one of its chains, or claims
   quoting one paragraph (line) of its text. Net polarity: the product of the links' signs; mixed when
   a link's claims disagree. Texts go in through textContent only. */
(function () {
  "use strict";
  var api = window.govkg, t = api.t, el = api.el, clear = api.clear;
  var extra = api.data.page;  // kg/output/pagedata.py
  var MAX_PATHS = 200;  // as kg render --chain: at most this many, shortest first
  var SIGN = { positive: 1, negative: -1 };

  api.i18n.add({
    en: {
      "trace.title": "Trace paths", "trace.from": "From", "trace.to": "To", "trace.maxlen": "at most {n} links",
      "trace.go": "Find paths", "trace.here": "Use the selected concept", "trace.clear": "Clear",
      "trace.swap": "Swap start and end",
      "trace.none": "No causal path of at most {n} links between these two (with the filters as they are).",
      "trace.count": "{n} path(s), shortest first", "trace.more": "the first {n}; there are more",
      "trace.stated": "stated", "trace.assembled": "assembled",
      "trace.stated.by": "stated whole by {who}",
      "trace.assembled.note": "assembled from claims made in different places: a hypothesis, not a finding",
      "trace.net": "net {sign}", "trace.step": "link {i} of {n}", "trace.prev": "◀ previous path",
      "trace.next": "next path ▶", "trace.path": "path {i} of {n}",
      "trace.unknown": "Pick a concept in both fields (a label, in either script, or an id).",
      "trace.same": "Start and end are the same concept.",
      "trace.start": "start", "trace.end": "end",
      "trace.causal": "Follows causal links and the claims the filters leave, as kg chain does.",
      "pol.positive": "+", "pol.negative": "−", "pol.mixed": "±"
    },
    zh: {
      "trace.title": "追踪路径", "trace.from": "起点", "trace.to": "终点", "trace.maxlen": "最多 {n} 步",
      "trace.go": "查找路径", "trace.here": "用当前选中的概念", "trace.clear": "清除",
      "trace.swap": "交换起点和终点",
      "trace.none": "两者之间没有不超过 {n} 步的因果路径（按当前筛选）。",
      "trace.count": "{n} 条路径，由短到长", "trace.more": "仅列前 {n} 条，还有更多",
      "trace.stated": "原文陈述", "trace.assembled": "拼合",
      "trace.stated.by": "由 {who} 完整陈述",
      "trace.assembled.note": "由不同处的论断拼合而成：是假设，不是发现",
      "trace.net": "净效应 {sign}", "trace.step": "第 {i} 步，共 {n} 步", "trace.prev": "◀ 上一条路径",
      "trace.next": "下一条路径 ▶", "trace.path": "第 {i} 条路径，共 {n} 条",
      "trace.unknown": "请在两栏中各选一个概念（中文或英文标签，简繁皆可，或 id）。",
      "trace.same": "起点和终点是同一个概念。",
      "trace.start": "起点", "trace.end": "终点",
      "trace.causal": "沿因果联系及筛选后保留的论断，与 kg chain 相同。",
      "pol.positive": "+", "pol.negative": "−", "pol.mixed": "±"
    }
  });

  function label(id) {
    var k = api.nodeById[id].kg;
    return api.i18n.lang === "en" && k.en ? k.en : k.zh;
  }

  // ---- the engine: the same answers as kg.query.paths.find_paths ----

  // Causal links the filters leave, each with the claims they leave on it: from -> [{to, edge, claims}].
  function linkGraph() {
    var out = {}, back = {};
    api.data.edges.forEach(function (e) {
      if (e.kg.kind !== "causal") return;
      if (api.isEdgeHidden(e.id)) return;
      var claims = e.kg.claims.filter(api.claimOn);
      if (!claims.length) return;
      claims = claims.slice().sort(function (a, b) { return a.id < b.id ? -1 : 1; });
      (out[e.from] = out[e.from] || []).push({ to: e.to, edge: e.id, claims: claims });
      (back[e.to] = back[e.to] || []).push(e.from);
    });
    return { out: out, back: back };
  }

  // Links from every concept to `end`, by a breadth-first search backwards: what prunes the search.
  function distances(g, end) {
    var dist = {}, queue = [end];
    dist[end] = 0;
    for (var i = 0; i < queue.length; i++) {
      (g.back[queue[i]] || []).forEach(function (u) {
        if (dist[u] === undefined) { dist[u] = dist[queue[i]] + 1; queue.push(u); }
      });
    }
    return dist;
  }

  function stepPolarity(claims) {
    var kinds = {};
    claims.forEach(function (c) { kinds[c.polarity || "positive"] = true; });
    var k = Object.keys(kinds);
    return k.length === 1 ? k[0] : "mixed";
  }
  function netPolarity(steps) {
    var sign = 1;
    for (var i = 0; i < steps.length; i++) {
      if (steps[i].polarity === "mixed") return "mixed";
      sign *= SIGN[steps[i].polarity];
    }
    return sign > 0 ? "positive" : "negative";
  }
  function sourcesOf(step) {
    var s = {};
    step.claims.forEach(function (c) { s[c.source] = true; });
    return s;
  }
  // Does `src` itself join a and b: consecutive links of one of its chains, or one paragraph?
  function joins(a, b, src) {
    var mineA = a.claims.filter(function (c) { return c.source === src; });
    var mineB = b.claims.filter(function (c) { return c.source === src; });
    var ends = {}, lines = {};
    mineA.forEach(function (c) {
      var x = extra.claims[c.id];
      if (x.chain) ends[x.chain + "\u0000" + x.pos] = true;
      x.paras.forEach(function (p) { lines[p] = true; });
    });
    return mineB.some(function (c) {
      var x = extra.claims[c.id];
      if (x.chain && ends[x.chain + "\u0000" + (x.pos - 1)]) return true;
      return x.paras.some(function (p) { return lines[p] === true; });
    });
  }
  function statedBy(steps) {
    var common = sourcesOf(steps[0]);
    steps.slice(1).forEach(function (s) {
      var here = sourcesOf(s);
      Object.keys(common).forEach(function (k) { if (!here[k]) delete common[k]; });
    });
    return Object.keys(common).sort().filter(function (src) {
      for (var i = 0; i + 1 < steps.length; i++) if (!joins(steps[i], steps[i + 1], src)) return false;
      return true;
    });
  }

  /* Every simple path start -> end of at most maxLen causal links, shortest first, at most MAX_PATHS.
     Length by length, a depth-first search that only enters a concept from which `end` is still
     reachable in the links left: the work grows with the paths found, not with the graph. */
  function findPaths(start, end, maxLen) {
    var g = linkGraph(), dist = distances(g, end), found = [], truncated = false;
    if (dist[start] === undefined) return { paths: [], truncated: false };
    for (var len = dist[start]; len <= maxLen && !truncated; len++) {
      var nodes = [start], onPath = {}, links = [], batch = [];
      onPath[start] = true;
      (function walk(u) {
        if (truncated) return;
        var depth = links.length;
        (g.out[u] || []).forEach(function (l) {
          if (truncated || onPath[l.to]) return;
          if (l.to === end) {
            if (depth + 1 !== len) return;
            links.push(l); nodes.push(l.to);
            batch.push({ concepts: nodes.slice(), links: links.slice() });
            links.pop(); nodes.pop();
            if (found.length + batch.length >= MAX_PATHS) truncated = true;
            return;
          }
          var d = dist[l.to];
          if (d === undefined || depth + 1 + d > len) return;
          onPath[l.to] = true; links.push(l); nodes.push(l.to);
          walk(l.to);
          onPath[l.to] = false; links.pop(); nodes.pop();
        });
      })(start);
      batch.forEach(function (p) {
        p.steps = p.links.map(function (l, i) {
          return { cause: p.concepts[i], effect: p.concepts[i + 1], edge: l.edge, claims: l.claims,
                   polarity: stepPolarity(l.claims) };
        });
        p.net = netPolarity(p.steps);
        p.statedBy = statedBy(p.steps);
        p.kind = p.statedBy.length ? "stated" : "assembled";
        delete p.links;
      });
      // Within a length: stated paths first, then by the concepts' ids, so the list is the same every time.
      batch.sort(function (a, b) {
        if (a.kind !== b.kind) return a.kind === "stated" ? -1 : 1;
        var x = a.concepts.join("\u0000"), y = b.concepts.join("\u0000");
        return x < y ? -1 : x > y ? 1 : 0;
      });
      found = found.concat(batch);
    }
    return { paths: found.slice(0, MAX_PATHS), truncated: truncated };
  }

  // ---- the panel section ----
  var state = { from: null, to: null, maxLen: (extra.trace && extra.trace.maxLen) || 4, paths: [], index: -1, truncated: false };
  var section = el("section", null);
  section.id = "trace";
  var head = el("h2", null, t("trace.title"));
  section.appendChild(head);
  var names = el("datalist");
  names.id = "trace-names";
  var byName = {};
  api.data.nodes.forEach(function (n) {
    var k = n.kg, text = k.en && k.en !== k.zh ? k.zh + " · " + k.en : k.zh;
    byName[text] = n.id;
    var o = el("option");
    o.value = text;
    names.appendChild(o);
  });
  section.appendChild(names);
  function field(key, id) {
    var row = el("div", "trace-row"), lab = el("label", null, t(key)), input = el("input"), pick = el("button", "pick", "◎");
    lab.setAttribute("for", id);
    input.id = id; input.type = "text"; input.setAttribute("list", "trace-names"); input.autocomplete = "off";
    pick.type = "button"; pick.title = t("trace.here"); pick.setAttribute("aria-label", t("trace.here"));
    row.appendChild(lab); row.appendChild(input); row.appendChild(pick);
    section.appendChild(row);
    return { label: lab, input: input, pick: pick, key: key };
  }
  var fromField = field("trace.from", "trace-from"), toField = field("trace.to", "trace-to");
  var controls = el("div", "trace-row");
  var maxLen = el("select");
  maxLen.id = "trace-maxlen";
  for (var n = 1; n <= 6; n++) { var o = el("option", null, t("trace.maxlen", { n: n })); o.value = String(n); maxLen.appendChild(o); }
  var go = el("button", null, t("trace.go")), swap = el("button", null, "⇅"), clearBtn = el("button", null, t("trace.clear"));
  go.type = swap.type = clearBtn.type = "button";
  go.id = "trace-go"; clearBtn.id = "trace-clear";
  swap.title = t("trace.swap"); swap.setAttribute("aria-label", t("trace.swap"));
  controls.appendChild(maxLen); controls.appendChild(swap); controls.appendChild(go); controls.appendChild(clearBtn);
  section.appendChild(controls);
  var note = el("p", "trace-note", t("trace.causal"));
  section.appendChild(note);
  var summary = el("p", "trace-summary");
  summary.id = "trace-summary";
  section.appendChild(summary);
  var list = el("ol", "trace-list");
  list.id = "trace-list";
  section.appendChild(list);
  var find = document.getElementById("find");
  find.parentNode.insertBefore(section, find.nextSibling);

  function resolve(text) {
    text = text.trim();
    if (!text) return null;
    if (byName[text]) return byName[text];
    if (api.nodeById[text]) return text;
    // A label typed alone, in either script: the same folding as search.
    var q = api.search ? api.search.normalize(text) : text.toLowerCase();
    var hits = Object.keys(extra.concepts).filter(function (id) {
      return extra.concepts[id].labels.split("\n").indexOf(q) >= 0;
    });
    return hits.length === 1 ? hits[0] : null;
  }
  function show(id, input) { input.value = id ? Object.keys(byName).filter(function (k) { return byName[k] === id; })[0] : ""; }

  function sourceName(sid) {
    return api.sourceName ? api.sourceName(sid) : sid;
  }
  function polSign(p) { return t("pol." + p); }

  function pathText(p) {
    return p.concepts.map(label).join(" → ");
  }
  function renderList() {
    clear(list);
    summary.textContent = "";
    if (!state.from || !state.to) return;
    if (!state.paths.length) { summary.textContent = t("trace.none", { n: state.maxLen }); return; }
    summary.textContent = t("trace.count", { n: state.paths.length }) +
      (state.truncated ? " (" + t("trace.more", { n: state.paths.length }) + ")" : "");
    state.paths.forEach(function (p, i) {
      var li = el("li", "path " + p.kind + (i === state.index ? " current" : ""));
      li.setAttribute("data-kind", p.kind);
      li.setAttribute("data-net", p.net);
      var b = el("button", null);
      b.type = "button";
      b.appendChild(el("span", "pol " + p.net, polSign(p.net)));
      b.appendChild(el("span", "kind", t("trace." + p.kind)));
      b.appendChild(el("span", "concepts", pathText(p)));
      b.addEventListener("click", function () { choose(i); });
      li.appendChild(b);
      list.appendChild(li);
    });
  }

  // ---- on the map: start and end ringed and named, the chosen path drawn over the rest ----
  var network = api.network;
  network.on("afterDrawing", function (ctx) {
    if (!state.from || !state.to) return;
    [[state.from, t("trace.start"), "#000000"], [state.to, t("trace.end"), "#000000"]].forEach(function (m) {
      if (!api.nodeById[m[0]]) return;
      var pos = network.getPositions([m[0]])[m[0]];
      if (!pos) return;
      // Drawn at one size on the screen, whatever the zoom.
      var k = 1 / network.getScale(), node = network.body.nodes[m[0]];
      var r = ((node && node.shape && node.shape.radius) || 10) + 8 * k;
      ctx.save();
      ctx.lineWidth = 3 * k;
      ctx.strokeStyle = m[2];
      ctx.setLineDash(m[0] === state.from ? [] : [6 * k, 4 * k]);
      ctx.beginPath(); ctx.arc(pos.x, pos.y, r, 0, 2 * Math.PI); ctx.stroke();
      ctx.setLineDash([]);
      ctx.font = "bold " + 13 * k + "px sans-serif";
      var w = ctx.measureText(m[1]).width + 8 * k;
      ctx.fillStyle = "#000000";
      ctx.fillRect(pos.x - w / 2, pos.y - r - 20 * k, w, 17 * k);
      ctx.fillStyle = "#ffffff";
      ctx.textAlign = "center"; ctx.textBaseline = "middle";
      ctx.fillText(m[1], pos.x, pos.y - r - 11.5 * k);
      ctx.restore();
    });
  });
  // Redraw at the next frame, once, however many changes ask for it (network.redraw() draws the whole
  // map at once, each time: a Reset would draw it three times over).
  function later() { api.draw(); }
  function drawPath() {
    var p = state.paths[state.index];
    if (!p) { network.setSelection({ nodes: [], edges: [] }); if (api.unhighlight) api.unhighlight(); later(); return; }
    var ids = p.steps.map(function (s) { return s.edge; });
    network.selectEdges(ids);
    if (api.highlightSet) api.highlightSet(p.concepts, ids);  // the path over a veil, the rest faded
    network.fit({ nodes: p.concepts });  // at once: an animation redraws the whole map every frame
  }

  function claimBox(c) {
    if (api.claimBox) return api.claimBox(c);
    var d = el("div", "claim " + c.polarity);
    d.setAttribute("data-claim", c.id);
    d.appendChild(el("strong", null, c.cause + " → " + c.effect + "  (" + c.tag + ")"));
    c.quotes.forEach(function (q) { d.appendChild(el("blockquote", "quote", q)); });
    return d;
  }

  function showPath(i) {
    var p = state.paths[i], details = document.getElementById("details");
    clear(details);
    details.appendChild(el("h3", null, pathText(p)));
    var meta = el("div", "cls trace-meta");
    meta.appendChild(el("span", "pol " + p.net, t("trace.net", { sign: polSign(p.net) })));
    meta.appendChild(el("span", "kind " + p.kind, " · " + t("trace." + p.kind)));
    meta.appendChild(el("span", null, " · " + t("trace.path", { i: i + 1, n: state.paths.length })));
    details.appendChild(meta);
    details.appendChild(el("p", "trace-why", p.kind === "stated"
      ? t("trace.stated.by", { who: p.statedBy.map(sourceName).join("; ") }) : t("trace.assembled.note")));
    var nav = el("div", "trace-nav"), prev = el("button", null, t("trace.prev")), next = el("button", null, t("trace.next"));
    prev.type = next.type = "button";
    prev.disabled = i === 0; next.disabled = i === state.paths.length - 1;
    prev.addEventListener("click", function () { choose(i - 1); });
    next.addEventListener("click", function () { choose(i + 1); });
    nav.appendChild(prev); nav.appendChild(next);
    details.appendChild(nav);
    p.steps.forEach(function (s, j) {
      var box = el("div", "trace-step");
      box.setAttribute("data-step", String(j));
      var h = el("button", "step-head", t("trace.step", { i: j + 1, n: p.steps.length }) + ": " + label(s.cause) +
        " → " + label(s.effect) + "  (" + polSign(s.polarity) + ")");
      h.type = "button";
      h.addEventListener("click", function () {
        network.selectEdges([s.edge]);
        network.fit({ nodes: [s.cause, s.effect] });
      });
      box.appendChild(h);
      s.claims.forEach(function (c) { box.appendChild(claimBox(c)); });
      details.appendChild(box);
    });
  }

  function choose(i) {
    if (i < 0 || i >= state.paths.length) return;
    state.index = i;
    renderList();
    showPath(i);
    drawPath();
    api.changed && api.changed("trace");
  }

  function run() {
    var a = resolve(fromField.input.value), b = resolve(toField.input.value);
    state.maxLen = Number(maxLen.value);
    if (state.index >= 0 && api.unhighlight) api.unhighlight();  // the path drawn before goes
    state.paths = []; state.index = -1; state.truncated = false;
    if (!a || !b) { state.from = state.to = null; clear(list); summary.textContent = t("trace.unknown"); later(); return; }
    state.from = a; state.to = b;
    if (a === b) { clear(list); summary.textContent = t("trace.same"); later(); return; }
    var r = findPaths(a, b, state.maxLen);
    state.paths = r.paths; state.truncated = r.truncated;
    renderList();
    if (state.paths.length) choose(0); else later();
    api.changed && api.changed("trace");
  }
  function reset() {
    var drawn = state.index >= 0, marked = state.from !== null;
    state.from = state.to = null; state.paths = []; state.index = -1;
    fromField.input.value = toField.input.value = "";
    clear(list); summary.textContent = "";
    if (drawn && api.unhighlight) api.unhighlight();
    if (marked) later();  // only to take the start and end marks away
  }

  go.addEventListener("click", run);
  [fromField.input, toField.input].forEach(function (inp) {
    inp.addEventListener("keydown", function (ev) { if (ev.key === "Enter") run(); });
  });
  fromField.pick.addEventListener("click", function () { if (api.selected) show(api.selected, fromField.input); });
  toField.pick.addEventListener("click", function () { if (api.selected) show(api.selected, toField.input); });
  swap.addEventListener("click", function () {
    var x = fromField.input.value; fromField.input.value = toField.input.value; toField.input.value = x;
    if (state.from) run();
  });
  clearBtn.addEventListener("click", reset);
  maxLen.value = String(state.maxLen);
  // Paths follow the filters: when they change, the same trace is run again.
  document.addEventListener("govkg:filters", function () { if (state.from && state.to) { var i = state.index; run(); if (i > 0) choose(Math.min(i, state.paths.length - 1)); } });
  document.addEventListener("govkg:reset", reset);
  document.addEventListener("govkg:lang", function () {
    head.textContent = t("trace.title");
    fromField.label.textContent = t("trace.from"); toField.label.textContent = t("trace.to");
    go.textContent = t("trace.go"); clearBtn.textContent = t("trace.clear"); note.textContent = t("trace.causal");
    Array.prototype.forEach.call(maxLen.options, function (o) { o.textContent = t("trace.maxlen", { n: o.value }); });
    if (state.from) { renderList(); if (state.index >= 0) showPath(state.index); }
  });

  api.trace = {
    find: findPaths, run: run, reset: reset, choose: choose, state: state,
    set: function (from, to, len) {
      show(from, fromField.input); show(to, toField.input);
      if (len) maxLen.value = String(len);
      run();
    }
  };
  if (api.addState) {
    api.addState("path", {
      get: function () { return state.from && state.to ? [state.from, state.to, state.maxLen, Math.max(state.index, 0)].join(",") : ""; },
      set: function (v) {
        var p = v.split(",");
        if (p.length < 2 || !api.nodeById[p[0]] || !api.nodeById[p[1]]) return;
        api.trace.set(p[0], p[1], Number(p[2]) || 4);
        if (Number(p[3]) > 0) choose(Number(p[3]));
      }
    });
  }
  // A page made with `kg render --chain A B` opens on those paths.
  function opening() { if (extra.trace && !state.from) api.trace.set(extra.trace.from, extra.trace.to, extra.trace.maxLen); }
  if (api.ready) opening();
  else new MutationObserver(function (_, obs) {
    if (document.body.getAttribute("data-ready") === "true") { obs.disconnect(); opening(); }
  }).observe(document.body, { attributes: true, attributeFilter: ["data-ready"] });
})();
