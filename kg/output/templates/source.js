/* govkg page: the source text beside the graph.

   Each source's paragraphs that hold a drawn claim are in the page once (kg/output/pagedata.py), with
   marks [start, end, claim ids] at the quotes' character positions (the graph's TextPositionSelectors).
   From a claim: its paragraph, its own quote highlighted, the other claims' quotes marked. From a
   paragraph: the claims made in it. A source list names each document with its work. Text only ever
   goes in through textContent. */
(function () {
  "use strict";
  var api = window.govkg, t = api.t, el = api.el, clear = api.clear;
  var extra = api.data.page;  // kg/output/pagedata.py

  api.i18n.add({
    en: {
      "src.read": "Read in the source ¶", "src.close": "Close the source text", "src.title": "Source text",
      "src.claims.here": "{n} claim(s) made in this paragraph", "src.gap": "… {n} paragraph(s) without claims in this view …",
      "src.open": "Read", "src.claims": "{n} claim(s)", "src.by": "by {who}", "src.year": "{year}",
      "src.hidden": "hidden by the filters", "src.whole": "Read the whole document (every paragraph with a claim)", "src.work": "work: {title}", "src.nopara": "Its quote is not in the text (no anchor)."
    },
    zh: {
      "src.read": "在原文中阅读 ¶", "src.close": "关闭原文", "src.title": "原文",
      "src.claims.here": "本段有 {n} 条论断", "src.gap": "…… 其间 {n} 段在本视图中没有论断 ……",
      "src.open": "阅读", "src.claims": "{n} 条论断", "src.by": "{who}", "src.year": "{year}",
      "src.hidden": "被筛选隐藏", "src.whole": "阅读全文（所有含论断的段落）", "src.work": "著作：{title}", "src.nopara": "其引文未在原文中定位。"
    }
  });


  // Every claim of the page by id (links' claims and concepts' definitions), for the paragraph's list.
  var claimById = {}, edgeOfClaim = {};
  api.data.edges.forEach(function (e) {
    e.kg.claims.forEach(function (c) { if (!claimById[c.id]) { claimById[c.id] = c; edgeOfClaim[c.id] = e.id; } });
  });
  api.data.nodes.forEach(function (n) { n.kg.definitions.forEach(function (c) { claimById[c.id] = c; }); });

  /* A document's name in the interface's language, with its work: 《县乡中国…》（摘录：…，2021）. */
  function sourceName(sid) {
    var s = extra.sources[sid];
    if (!s) return sid;
    return api.i18n.lang === "zh" ? s.zh : s.en;
  }
  api.sourceName = sourceName;
  // Claims carry their source's name for graph.js's panels and tooltips: kept in the interface's language
  // (a capturing listener, so the names change before graph.js redraws its panel on the same event).
  function renameSources() {
    Object.keys(claimById).forEach(function (id) { var c = claimById[id]; if (extra.sources[c.source]) c.sourceName = sourceName(c.source); });
  }
  renameSources();
  document.addEventListener("govkg:lang", renameSources, true);

  // ---- the reader: a pane over the left of the map, the graph still visible beside it ----
  var reader = el("section", "reader");
  reader.id = "reader";
  reader.hidden = true;
  reader.setAttribute("aria-label", t("src.title"));
  var bar = el("div", "reader-bar"), title = el("h2", "reader-title"), close = el("button", "reader-close", "×");
  close.type = "button"; close.title = t("src.close"); close.setAttribute("aria-label", t("src.close"));
  bar.appendChild(title); bar.appendChild(close);
  var meta = el("div", "reader-meta"), body = el("div", "reader-body");
  reader.appendChild(bar); reader.appendChild(meta); reader.appendChild(body);
  document.getElementById("graph").appendChild(reader);
  var current = { source: null, claim: null };

  function claimHead(c) {
    return c.relation === "definition" ? c.cause + " (" + t("relation.definition") + ")" : c.cause + " → " + c.effect + "  (" + c.tag + ")";
  }

  // One paragraph: its text cut at the marks, each mark a <mark> naming its claims; `claim`'s own marks current.
  function paragraph(p, sid, claim) {
    var box = el("div", "para");
    box.setAttribute("data-line", String(p.line));
    box.appendChild(el("span", "loc", p.locator));
    var text = el("p", "text"), at = 0;
    p.marks.forEach(function (m) {
      if (m[0] > at) text.appendChild(document.createTextNode(p.text.slice(at, m[0])));
      var mk = el("mark", m[2].indexOf(claim) >= 0 ? "current" : null, p.text.slice(m[0], m[1]));
      mk.setAttribute("data-claims", m[2].join(" "));
      mk.tabIndex = 0;
      mk.addEventListener("click", function () { listClaims(box, p, m[2]); });
      text.appendChild(mk);
      at = m[1];
    });
    if (at < p.text.length) text.appendChild(document.createTextNode(p.text.slice(at)));
    box.appendChild(text);
    var ids = {};
    p.marks.forEach(function (m) { m[2].forEach(function (c) { ids[c] = true; }); });
    var all = Object.keys(ids).sort();
    var here = el("button", "claims-here", t("src.claims.here", { n: all.length }));
    here.type = "button";
    here.addEventListener("click", function () { listClaims(box, p, all); });
    box.appendChild(here);
    return box;
  }

  // The claims made in a paragraph (or in one mark of it), each opening its link.
  function listClaims(box, p, ids) {
    var old = box.querySelector("ul.para-claims");
    if (old) box.removeChild(old);
    var ul = el("ul", "para-claims");
    ids.forEach(function (cid) {
      var c = claimById[cid];
      if (!c) return;
      var on = api.claimShown ? api.claimShown(cid) : true;
      var b = el("button", on ? null : "hidden-claim", claimHead(c) + (on ? "" : " — " + t("src.hidden")));
      b.type = "button";
      b.setAttribute("data-claim", cid);
      b.addEventListener("click", function () { openClaim(cid); });
      var li = el("li"); li.appendChild(b); ul.appendChild(li);
    });
    box.appendChild(ul);
  }

  function openClaim(cid) {
    var c = claimById[cid];
    showSource(c.source, cid);
    var edge = edgeOfClaim[cid];
    if (edge && api.showEdge) {
      api.network.selectEdges([edge]);
      api.showEdge(edge);
    } else if (c.relation === "definition" && api.select) {
      api.select(Object.keys(api.nodeById).filter(function (id) { return api.nodeById[id].kg.definitions.some(function (d) { return d.id === cid; }); })[0]);
    }
  }

  /* Show a source in the reader: only the paragraphs of `claim` when one is given (with a way to the
     whole), else every paragraph that holds a drawn claim, gaps between them said. */
  function showSource(sid, claim) {
    var s = extra.sources[sid];
    if (!s) return;
    current.source = sid; current.claim = claim || null;
    clear(meta); clear(body);
    title.textContent = sourceName(sid);
    var facts = [];
    if (s.workTitle) facts.push(t("src.work", { title: "《" + s.workTitle + "》" }));
    if (s.authors.length) facts.push(t("src.by", { who: s.authors.join(api.i18n.lang === "zh" ? "、" : ", ") }));
    if (s.year) facts.push(s.year);
    facts.push(sid);
    meta.textContent = facts.join(" · ");
    var wanted = null;
    if (claim) {
      wanted = {};
      (extra.claims[claim] ? extra.claims[claim].paras : []).forEach(function (l) { wanted[l] = true; });
    }
    var shown = 0, last = 0;
    s.paras.forEach(function (p) {
      if (wanted && !wanted[p.line]) return;
      if (!wanted && last && p.line > last + 1) body.appendChild(el("p", "gap", t("src.gap", { n: p.line - last - 1 })));
      body.appendChild(paragraph(p, sid, claim));
      last = p.line;
      shown++;
    });
    if (claim && !shown) body.appendChild(el("p", "gap", t("src.nopara")));
    if (claim) {
      var whole = el("button", "whole", t("src.whole"));
      whole.type = "button";
      whole.addEventListener("click", function () { showSource(sid, null); });
      body.appendChild(whole);
    }
    if (reader.hidden) {
      reader.hidden = false;
      // Opened over the map's left: move what was in view to the part of the map left beside it.
      var gw = api.network.canvas.frame.clientWidth, rw = reader.offsetWidth + 8;
      if (gw > rw * 1.5) {
        var at = api.network.getViewPosition(), scale = api.network.getScale() * (gw - rw) / gw;
        api.network.moveTo({ position: { x: at.x - (rw / 2) / scale, y: at.y }, scale: scale });
      }
    }
    var first = body.querySelector("mark.current");
    // Scroll the pane alone (scrollIntoView would scroll the page and the map's box too).
    reader.scrollTop = first ? Math.max(0, first.offsetTop - reader.clientHeight / 3) : 0;
    api.changed && api.changed("source");
  }
  function hide() { reader.hidden = true; current.source = current.claim = null; api.changed && api.changed("source"); }
  close.addEventListener("click", hide);
  document.addEventListener("govkg:reset", hide);

  // Every claim box, wherever the page draws one, gets a way to its paragraph.
  function decorate(root) {
    root.querySelectorAll(".claim[data-claim]").forEach(function (box) {
      if (box.querySelector(":scope > button.read")) return;
      var cid = box.getAttribute("data-claim");
      var x = extra.claims[cid];
      if (!x || !x.paras.length) return;
      var b = el("button", "read", t("src.read"));
      b.type = "button";
      b.addEventListener("click", function () { showSource(claimById[cid].source, cid); });
      box.appendChild(b);
    });
  }
  var panel = document.getElementById("panel");
  new MutationObserver(function () { decorate(panel); }).observe(panel, { childList: true, subtree: true });
  decorate(panel);

  // ---- the source list (the panel's source filter): each row a way into the document's text ----
  document.querySelectorAll("input.source-filter").forEach(function (box) {
    var sid = box.value, s = extra.sources[sid], li = box.closest("li");
    if (!s || !li) return;
    var n = {};
    s.paras.forEach(function (p) { p.marks.forEach(function (m) { m[2].forEach(function (c) { n[c] = true; }); }); });
    var b = el("button", "source-open", t("src.open"));
    b.type = "button";
    b.setAttribute("data-source", sid);
    b.title = sourceName(sid) + " — " + t("src.claims", { n: Object.keys(n).length });
    b.addEventListener("click", function () { showSource(sid, null); });
    li.appendChild(b);
  });

  document.addEventListener("govkg:lang", function () {
    document.querySelectorAll("button.source-open").forEach(function (b) { b.textContent = t("src.open"); });
    panel.querySelectorAll("button.read").forEach(function (b) { b.textContent = t("src.read"); });
    if (!reader.hidden) showSource(current.source, current.claim);
  });

  api.source = { show: showSource, hide: hide, openClaim: openClaim, current: current };
  if (api.addState) {
    api.addState("text", {
      get: function () { return reader.hidden || !current.source ? "" : current.source + (current.claim ? "," + current.claim : ""); },
      set: function (v) { var p = v.split(","); if (extra.sources[p[0]]) showSource(p[0], p[1] && claimById[p[1]] ? p[1] : null); }
    });
  }
})();
