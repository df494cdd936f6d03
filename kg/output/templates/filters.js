/* govkg page: the filters a researcher expects, held everywhere, and search over quotes.

   Filters: at least N independent works on a link (works counted over the claims the other filters
   leave), and the link's polarity: increases, decreases, claims that contradict (same cause, effect and
   relation, opposite polarity, conditions that can hold together), opposite effects under different
   conditions. graph.js asks api.claimFilter / api.edgeFilter; the map, counts, tooltips, the concept
   panel, search and paths all follow (the event govkg:filters).
   Search: `kg search`'s matching (kg.query.search): the query folded to one script and case (OpenCC's
   table for the page's characters, kg/output/pagedata.py), split on spaces, every word held by some field
   of a concept (id, labels, definitions) or a claim (id, quotes, gloss, conditions, hedge, case, period,
   note); concepts ranked as there. Every match counted; none cut silently. */
(function () {
  "use strict";
  var api = window.govkg, t = api.t, el = api.el, clear = api.clear;
  var extra = api.data.page;  // kg/output/pagedata.py
  var SHOW = 12;  // results listed before "show all"

  api.i18n.add({
    en: {
      "flt.works": "Independent works on a link", "flt.works.any": "any number", "flt.works.n": "at least {n}",
      "flt.polarity": "Link polarity",
      "flt.pol.positive": "increases (+)", "flt.pol.negative": "decreases (−)",
      "flt.pol.contradict": "claims contradict (±)", "flt.pol.conditional": "opposite effects under different conditions (+/−)",
      "srch.count": "{c} concept(s), {k} claim(s) match", "srch.hidden": "{n} more hidden by the filters",
      "srch.all": "show all {n}", "srch.concepts": "Concepts", "srch.claims": "Claims (in quotes, glosses, conditions, notes)",
      "srch.none": "nothing matches", "srch.label": "Find a concept or a quote",
      "legend.mixed": "claims contradict (±)", "legend.conditional": "opposite effects under different conditions (+/−)"
    },
    zh: {
      "flt.works": "一条联系的独立著作数", "flt.works.any": "不限", "flt.works.n": "至少 {n} 部",
      "flt.polarity": "联系的方向",
      "flt.pol.positive": "增强 (+)", "flt.pol.negative": "减弱 (−)",
      "flt.pol.contradict": "论断相互矛盾 (±)", "flt.pol.conditional": "不同条件下效果相反 (+/−)",
      "srch.count": "{c} 个概念、{k} 条论断匹配", "srch.hidden": "另有 {n} 个被筛选隐藏",
      "srch.all": "显示全部 {n} 个", "srch.concepts": "概念", "srch.claims": "论断（引文、释义、条件、注）",
      "srch.none": "没有匹配", "srch.label": "查找概念或引文",
      "legend.mixed": "论断相互矛盾 (±)", "legend.conditional": "不同条件下效果相反 (+/−)"
    }
  });
  api.i18n.apply(document);  // the legend's words added here were applied before this script ran


  // ---- a link's works and polarity, over the claims the filters leave ----
  function subset(a, b) { return a.every(function (x) { return b.indexOf(x) >= 0; }); }
  function compatible(a, b) {
    var ca = extra.claims[a.id].conds, cb = extra.claims[b.id].conds;
    return !ca.length || !cb.length || subset(ca, cb) || subset(cb, ca);
  }
  /* positive, negative, contradict, conditional (as kg/output/pagedata.py's tension), or "" for no polarity. */
  function linkPolarity(claims) {
    var pol = claims.filter(function (c) { return c.polarity; }), kinds = {};
    pol.forEach(function (c) { kinds[c.polarity] = true; });
    var k = Object.keys(kinds);
    if (k.length < 2) return k[0] || "";
    for (var i = 0; i < pol.length; i++) {
      for (var j = i + 1; j < pol.length; j++) {
        if (pol[i].polarity !== pol[j].polarity && compatible(pol[i], pol[j])) return "contradict";
      }
    }
    return "conditional";
  }
  function works(claims) {
    var w = {};
    claims.forEach(function (c) { w[extra.claims[c.id] ? extra.claims[c.id].work : c.source] = true; });
    return Object.keys(w).length;
  }
  api.linkPolarity = linkPolarity;

  // ---- the controls, under the page's claim filters ----
  var state = { minWorks: 1, polarity: { positive: true, negative: true, contradict: true, conditional: true } };
  var host = document.querySelector(".claim-filters") || document.getElementById("legend");
  var worksLabel = el("label", null, t("flt.works")), worksSel = el("select");
  worksSel.id = "works-filter"; worksLabel.setAttribute("for", "works-filter");
  var maxWorks = 1;
  api.data.edges.forEach(function (e) { maxWorks = Math.max(maxWorks, e.kg.works.length); });
  for (var n = 1; n <= Math.max(maxWorks, 2); n++) {
    var o = el("option", null, n === 1 ? t("flt.works.any") : t("flt.works.n", { n: n }));
    o.value = String(n);
    worksSel.appendChild(o);
  }
  host.appendChild(worksLabel); host.appendChild(worksSel);
  var polLabel = el("div", "flt-head", t("flt.polarity")), polBox = el("div", "polarity-filters");
  host.appendChild(polLabel); host.appendChild(polBox);
  // A kind with no link in the view is not offered (as the legend shows no empty class).
  var present = {};
  api.data.edges.forEach(function (e) { if (e.kg.kind === "causal") present[linkPolarity(e.kg.claims)] = true; });
  var polInputs = [];
  ["positive", "negative", "contradict", "conditional"].forEach(function (p) {
    if (!present[p]) return;
    var lab = el("label", "pol-" + p), box = el("input");
    box.type = "checkbox"; box.className = "polarity-filter"; box.value = p; box.checked = true;
    lab.appendChild(box);
    var span = el("span", null, " " + t("flt.pol." + p));
    lab.appendChild(span);
    polBox.appendChild(lab);
    polInputs.push({ box: box, span: span, key: p });
    box.addEventListener("change", function () { state.polarity[p] = box.checked; api.applyFilters(); });
  });
  worksSel.addEventListener("change", function () { state.minWorks = Number(worksSel.value); api.applyFilters(); });

  api.edgeFilter = function (e) {
    if (e.kg.kind === "condition") return true;
    var on = e.kg.claims.filter(api.claimOn);
    if (works(on) < state.minWorks) return false;
    if (e.kg.kind !== "causal") return true;
    var p = linkPolarity(on);
    return !p || state.polarity[p] !== false;
  };
  api.filterState = state;

  // ---- search ----
  var search = document.getElementById("search"), results = document.getElementById("results");
  var SEP = /[\s_\-‐‑–—·・]+/g;
  function normalize(s) {
    var out = "";
    for (var ch of s.trim()) out += extra.searchFold[ch] || ch;
    return out.toLowerCase().replace(SEP, " ").trim();
  }
  function holdsAll(terms, text) { return terms.every(function (w) { return text.indexOf(w) >= 0; }); }
  function allMatch(query) {
    var q = normalize(query), terms = q ? q.split(" ") : [], concepts = [], claims = [];
    if (!terms.length) return { q: q, concepts: concepts, claims: claims };
    Object.keys(extra.concepts).forEach(function (id) {
      var c = extra.concepts[id];
      if (!holdsAll(terms, c.labels + "\n" + c.defs)) return;
      var labels = c.labels.split("\n");
      var rank = labels.indexOf(q) >= 0 ? 0 : labels.some(function (l) { return l.indexOf(q) >= 0; }) ? 1 : 2;
      concepts.push({ id: id, rank: rank });
    });
    // Matching word by word in a field, as kg search does: a word may not run across two fields.
    function fieldsHold(text) {
      var fields = text.split("\n");
      return terms.every(function (w) { return fields.some(function (f) { return f.indexOf(w) >= 0; }); });
    }
    Object.keys(extra.claims).forEach(function (id) { if (fieldsHold(extra.claims[id].search)) claims.push(id); });
    concepts.sort(function (a, b) { return a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0); });
    claims.sort();
    return { q: q, concepts: concepts.map(function (c) { return c.id; }), claims: claims };
  }
  var claimById = {}, edgeOfClaim = {};
  api.data.edges.forEach(function (e) {
    e.kg.claims.forEach(function (c) { if (!claimById[c.id]) { claimById[c.id] = c; edgeOfClaim[c.id] = e.id; } });
  });
  var ownerOfDefinition = {};
  api.data.nodes.forEach(function (n) { n.kg.definitions.forEach(function (c) { claimById[c.id] = c; ownerOfDefinition[c.id] = n.id; }); });
  function conceptShown(id) { return !!api.nodeById[id] && !api.isHidden(id); }
  function sourceOn(sid) {
    var box = document.querySelector("input.source-filter[value='" + CSS.escape(sid) + "']");
    return !box || box.checked;
  }
  /* Is the claim shown: on a shown link and passing the claim filters; a definition, with its concept
     and its source shown (the concept's panel lists it whatever the relation and certainty filters). */
  function claimShown(id) {
    var c = claimById[id];
    if (!c) return false;
    if (ownerOfDefinition[id]) return conceptShown(ownerOfDefinition[id]) && sourceOn(c.source);
    if (!api.claimOn(c)) return false;
    return !!edgeOfClaim[id] && !api.isEdgeHidden(edgeOfClaim[id]);
  }
  api.claimShown = claimShown;
  var expanded = { concepts: false, claims: false };
  function both(k) { return k.en && k.en !== k.zh ? k.zh + " · " + k.en : k.zh; }

  function show() {
    clear(results);
    var m = allMatch(search.value);
    if (!m.q) return m;
    var cs = m.concepts.filter(conceptShown), ks = m.claims.filter(claimShown);
    var hidden = m.concepts.length - cs.length + m.claims.length - ks.length;
    var count = el("li", "count", t("srch.count", { c: cs.length, k: ks.length }) +
      (hidden ? "; " + t("srch.hidden", { n: hidden }) : ""));
    count.id = "search-count";
    results.appendChild(count);
    if (!cs.length && !ks.length) { results.appendChild(el("li", "none", t("srch.none"))); return m; }
    function group(key, ids, make) {
      if (!ids.length) return;
      results.appendChild(el("li", "group", t("srch." + key)));
      var upto = expanded[key] ? ids.length : Math.min(ids.length, SHOW);
      ids.slice(0, upto).forEach(function (id) { var li = el("li", key); li.appendChild(make(id)); results.appendChild(li); });
      if (upto < ids.length) {
        var more = el("button", "more", t("srch.all", { n: ids.length }));
        more.type = "button";
        more.addEventListener("click", function () { expanded[key] = true; show(); });
        var li = el("li", "more"); li.appendChild(more); results.appendChild(li);
      }
    }
    group("concepts", cs, function (id) {
      var k = api.nodeById[id].kg, b = el("button", null, both(k) + "  ·  " + k.cls);
      b.type = "button"; b.setAttribute("data-id", id);
      b.addEventListener("click", function () { api.select(id); });
      return b;
    });
    group("claims", ks, function (id) {
      var c = claimById[id], b = el("button", null);
      b.type = "button"; b.setAttribute("data-claim", id);
      b.appendChild(el("span", "head", c.relation === "definition" ? c.cause : c.cause + " → " + c.effect + " (" + c.tag + ")"));
      if (c.quotes.length) b.appendChild(el("span", "q", "「" + c.quotes[0] + "」"));
      b.addEventListener("click", function () {
        if (ownerOfDefinition[id]) { api.select(ownerOfDefinition[id]); return; }
        api.selected = null;
        api.network.selectEdges([edgeOfClaim[id]]);
        api.showEdge(edgeOfClaim[id]);
      });
      return b;
    });
    return m;
  }
  function enter() {
    var m = allMatch(search.value), cs = m.concepts.filter(conceptShown);
    if (cs.length) api.select(cs[0]);
  }
  search.addEventListener("input", function () { expanded.concepts = expanded.claims = false; });
  api.search = { show: show, enter: enter, match: allMatch, normalize: normalize };

  // ---- Reset clears every control: search, filters (all on, any), and what they hid ----
  document.addEventListener("govkg:reset", function () {
    search.value = "";
    clear(results);
    var changed = false;  // filter again only when some filter was set
    document.querySelectorAll("input.class-filter, input.source-filter, input.relation-filter, input.polarity-filter")
      .forEach(function (b) { if (!b.checked) { b.checked = true; changed = true; } });
    ["actor-filter", "certainty-filter"].forEach(function (id) {
      var s = document.getElementById(id);
      if (s && s.value) { s.value = ""; changed = true; }
    });
    if (worksSel.value !== "1") { worksSel.value = "1"; changed = true; }
    state.minWorks = 1;
    Object.keys(state.polarity).forEach(function (k) { state.polarity[k] = true; });
    if (changed) api.applyFilters();
  });
  document.addEventListener("govkg:filters", function () { if (search.value) show(); });
  document.addEventListener("govkg:lang", function () {
    worksLabel.textContent = t("flt.works"); polLabel.textContent = t("flt.polarity");
    Array.prototype.forEach.call(worksSel.options, function (o) {
      o.textContent = o.value === "1" ? t("flt.works.any") : t("flt.works.n", { n: o.value });
    });
    polInputs.forEach(function (p) { p.span.textContent = " " + t("flt.pol." + p.key); });
    if (search.value) show();
  });
  if (api.addState) {
    api.addState("works", { get: function () { return state.minWorks > 1 ? String(state.minWorks) : ""; },
                            set: function (v) { worksSel.value = v; state.minWorks = Number(v) || 1; api.applyFilters(); } });
    api.addState("pol", {
      get: function () { var off = Object.keys(state.polarity).filter(function (k) { return !state.polarity[k]; }); return off.join(","); },
      set: function (v) {
        v.split(",").forEach(function (k) { if (k in state.polarity) state.polarity[k] = false; });
        polInputs.forEach(function (p) { p.box.checked = state.polarity[p.key]; });
        api.applyFilters();
      }
    });
  }
})();
