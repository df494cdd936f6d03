/* govkg page: vis-network's drawing made cheap enough for an interaction at thousands of links.

   vis-network draws the whole map for every change; at 1,000 concepts and 4,000 links a redraw is
   most of an interaction's time (graph.js already asks for at most one a frame: govkg.draw). Here:
   - The map as vis-network drew it (links, concepts, arrow heads, labels) is kept as a picture, and
     a redraw that would draw the same map (same camera, data, positions, selection and hover) puts
     the picture back instead: searching, reading, selecting under the veil draw nothing again. What
     the page draws over the map (the veil, the neighbourhood, the overview's labels, the path's
     marks: graph.js's and trace.js's afterDrawing) is drawn every time.
   - Plain straight links drawn in view only, each cut to the view (a long dashed link off screen
     still cost its dashes), the context set once for a run of links alike (vis-network builds every
     formatting value of each link, parses its colour, and saves the context for each dashed one).
   - Arrow heads only in view, at a zoom where they are a few pixels wide, at vis-network's geometry
     (kept until a concept moves), a run of one colour filled as one path.
   In vis-network's order, and what it draws differently (a selected, hovered, curved or labelled
   link, a loop) it still draws itself: the map looks the same (tests/test_page_drawing_browser.py
   compares the two), drawn with less work. */
(function () {
  "use strict";
  var api = window.govkg, network = api.network, renderer = network.renderer, body = network.body;
  var container = document.getElementById("graph");
  var BATCH_FROM = 200;  // links drawn; below, vis-network draws each one as it always does
  // govkg.drawing.bulk = false: every link and head drawn by vis-network itself (to compare the two)
  var drawing = api.drawing = { bulk: true };
  function bulk() { return drawing.bulk === true && body.edgeIndices.length >= BATCH_FROM; }
  if (!renderer || ["_drawEdges", "_drawNodes", "_drawArrows", "_drawSelectionBox"].some(function (k) {
    return typeof renderer[k] !== "function";
  })) return;  // another vis-network: draw as it does

  // The part of the map in view, in the map's coordinates, with a margin of `m` screen pixels.
  function inView(m) {
    var a = network.DOMtoCanvas({ x: -m, y: -m }), b = network.DOMtoCanvas({ x: container.clientWidth + m, y: container.clientHeight + m });
    return { x0: a.x, y0: a.y, x1: b.x, y1: b.y };
  }

  // ---- the map kept as a picture ----
  var kept = null, keptKey = null, keptChosen = null, keptNodes = null, keptEdges = null, reuse = false;
  function ids(list) { return list.map(function (x) { return x.id; }).sort().join(","); }
  // Everything vis-network's drawing of the map depends on but the data, whose every change gives
  // new lists of drawn concepts and links (vis-network's _updateVisibleIndices), compared as objects,
  // and the selection (chosen()).
  function mapKey() {
    var v = body.view, c = network.canvas.frame.canvas, sel = network.selectionHandler, pos = 0;
    for (var i = 0; i < body.nodeIndices.length; i++) {
      var n = body.nodes[body.nodeIndices[i]];
      pos += n.x * (i + 1) + n.y * (i + 7);
    }
    var hover = sel && sel.hoverObj ? Object.keys(sel.hoverObj.nodes).concat(Object.keys(sel.hoverObj.edges)).join(",") : "?";
    // (the camera to a thousandth of a pixel: fitting the same map twice can differ in the last bits)
    return [v.scale.toPrecision(9), v.translation.x.toFixed(3), v.translation.y.toFixed(3), c.width, c.height, pos, hover,
            renderer.dragging, renderer.zooming, renderer.renderingActive, drawing.bulk].join(";");
  }
  function chosen() {
    var sel = network.selectionHandler;
    return sel && sel.getSelectedNodes && sel.getSelectedEdges ? ids(sel.getSelectedNodes()) + "|" + ids(sel.getSelectedEdges()) : "?";
  }
  network.on("beforeDrawing", function (ctx) {
    reuse = false;
    if (!kept || renderer.renderingActive || keptNodes !== body.nodeIndices || keptEdges !== body.edgeIndices) return;
    // Under the veil the selection cannot be seen on the map (graph.js draws the neighbourhood again on top).
    if (mapKey() !== keptKey || (!(api.veiled && api.veiled()) && chosen() !== keptChosen)) return;
    reuse = true;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(kept, 0, 0);
    ctx.restore();
  });
  // Called by vis-network right after the map and its labels, before afterDrawing: keep the picture.
  var drawBox = renderer._drawSelectionBox;
  renderer._drawSelectionBox = function (ctx) {
    drawBox.call(renderer, ctx);
    if (reuse || renderer.renderingActive || body.edgeIndices.length < BATCH_FROM) { if (!reuse) kept = null; return; }
    var c = network.canvas.frame.canvas;
    if (!kept) kept = document.createElement("canvas");
    if (kept.width !== c.width || kept.height !== c.height) { kept.width = c.width; kept.height = c.height; }
    var k = kept.getContext("2d");
    k.clearRect(0, 0, kept.width, kept.height);
    k.drawImage(c, 0, 0);
    keptKey = mapKey(); keptChosen = chosen(); keptNodes = body.nodeIndices; keptEdges = body.edgeIndices;
  };
  var drawNodes = renderer._drawNodes, drawEachEdge = renderer._drawEdges;
  renderer._drawNodes = function (ctx, hidden) {
    return reuse && !hidden ? { drawExternalLabels: null } : drawNodes.call(renderer, ctx, hidden);
  };

  // ---- links ----
  // How each drawn link is drawn, found once for each set of drawn links (each change of the data
  // gives a new body.edgeIndices): a plain straight link gets its style (colour, width, dashes, shared
  // by all links alike) and its head's shape; the rest (curved, labelled, a loop, a head vis-network
  // draws another way) none, and vis-network draws them. All in vis-network's order, so that where
  // links cross the same one lies on top.
  var HEADS = {  // vis-network's arrow heads (its EndPoints), as polygons of unit length pointing along +x
    arrow: [[0, 0], [-1, 0.3], [-0.9, 0], [-1, -0.3]], triangle: [[0.02, 0], [-1, 0.3], [-1, -0.3]],
    diamond: [[0, 0], [-0.5, -0.3], [-1, 0], [-0.5, 0.3]], vee: [[-1, 0.3], [-0.5, 0], [-1, -0.3], [0, 0]],
    bar: [[0, 0.5], [0, -0.5], [-0.15, -0.5], [-0.15, 0.5]], circle: null
  };
  var sorted = { at: null, links: [] }, styles = {}, epoch = 0;
  // A link's style is found again only after a change of the data or the options (not after a filter,
  // which hides links without changing them).
  network.on("_dataChanged", function () { epoch++; });
  network.on("_dataUpdated", function () { epoch++; });
  function sortLinks() {
    if (sorted.at === body.edgeIndices) return sorted.links;
    var list = body.edgeIndices, links = [];
    for (var i = 0; i < list.length; i++) {
      var e = body.edges[list[i]], o = e.options, c = o.color, a = o.arrows;
      links.push(e);
      if (e.govkgEpoch === epoch) continue;
      e.govkgEpoch = epoch;
      e.govkgStyle = e.govkgHead = null;
      if (e.from === e.to || (o.smooth && o.smooth.enabled) || o.label || c.inherit || (c.opacity !== undefined && c.opacity !== 1) ||
          (o.shadow && o.shadow.enabled) || typeof c.color !== "string") continue;
      var dashes = o.dashes === true ? [5, 5] : o.dashes || null, key = c.color + "|" + o.width + "|" + (dashes ? dashes.join(",") : "");
      if (!styles[key]) {
        var period = 0;
        (dashes || []).forEach(function (d) { period += d; });
        if (dashes && dashes.length % 2) period *= 2;  // an odd list repeats twice over (canvas's rule)
        styles[key] = { color: c.color, width: o.width, dashes: dashes || [], period: period };
      }
      e.govkgStyle = styles[key];
      // A head drawn here: at the effect only, a shape above, no image, the line running into it (vis-network's default).
      e.govkgHead = a && a.to && a.to.enabled === true && !(a.from && a.from.enabled) && !(a.middle && a.middle.enabled) && !a.to.src &&
        o.arrowStrikethrough !== false && a.to.scaleFactor >= 0 && Object.prototype.hasOwnProperty.call(HEADS, a.to.type || "arrow") ? (a.to.type || "arrow") : null;
    }
    sorted = { at: list, links: links };
    return links;
  }
  // The part [t0, t1] of the segment a→b inside the box v (Liang–Barsky), or null.
  function cut(ax, ay, bx, by, v) {
    var t0 = 0, t1 = 1, dx = bx - ax, dy = by - ay, p = [-dx, dx, -dy, dy], q = [ax - v.x0, v.x1 - ax, ay - v.y0, v.y1 - ay];
    for (var i = 0; i < 4; i++) {
      if (p[i] === 0) { if (q[i] < 0) return null; continue; }
      var r = q[i] / p[i];
      if (p[i] < 0) { if (r > t1) return null; if (r > t0) t0 = r; } else { if (r < t0) return null; if (r < t1) t1 = r; }
    }
    return [t0, t1];
  }
  renderer._drawEdges = function (ctx) {
    if (reuse) return;
    if (!bulk()) return drawEachEdge.call(renderer, ctx);
    var v = inView(10), links = sortLinks(), now = null;
    for (var i = 0; i < links.length; i++) {
      var e = links[i], g = e.govkgStyle, f = e.from, t = e.to;
      if (e.connected !== true) continue;
      if (!g || e.selected || e.hover) {  // vis-network's own, with its own context state
        if (now) { ctx.restore(); now = null; }
        e.draw(ctx);
        continue;
      }
      var part = cut(f.x, f.y, t.x, t.y, v);
      if (!part) continue;
      if (g !== now) {  // the context set once for a run of links alike, not for each link
        if (!now) { ctx.save(); ctx.lineCap = "round"; }  // round: as vis-network leaves it after its first dashed link
        ctx.strokeStyle = g.color;
        ctx.lineWidth = g.width;
        ctx.setLineDash(g.dashes);
        ctx.lineDashOffset = 0;
        now = g;
      }
      var len = Math.hypot(t.x - f.x, t.y - f.y) || 1, s = part[0];
      if (g.period) s = Math.floor(s * len / g.period) * g.period / len;  // from a whole dash: the pattern stays in place
      ctx.beginPath();
      ctx.moveTo(f.x + (t.x - f.x) * s, f.y + (t.y - f.y) * s);
      ctx.lineTo(f.x + (t.x - f.x) * part[1], f.y + (t.y - f.y) * part[1]);
      ctx.stroke();
    }
    if (now) ctx.restore();
  };

  // ---- arrow heads: only in view, and at a zoom where they are a few pixels wide ----
  renderer._drawArrows = function (ctx) {
    if (reuse) return;
    var list = body.edgeIndices;
    if (body.view.scale < 0.3 && list.length > 300) return;
    var v = inView(40), seen = function (e) { var t = e.to; return e.connected === true && t && t.x >= v.x0 && t.x <= v.x1 && t.y >= v.y0 && t.y <= v.y1; };
    if (!bulk()) { list.forEach(function (id) { if (seen(body.edges[id])) body.edges[id].drawArrows(ctx); }); return; }
    // Heads of one colour one after another filled as one path; in vis-network's order.
    var links = sortLinks(), colour = null;
    ctx.save();
    for (var i = 0; i < links.length; i++) {
      var e = links[i];
      if (!seen(e)) continue;
      if (!e.govkgHead || e.selected || e.hover) {
        if (colour) { ctx.fill(); colour = null; }
        e.drawArrows(ctx);
        continue;
      }
      if (e.govkgStyle.color !== colour) {
        if (colour) ctx.fill();
        colour = ctx.fillStyle = e.govkgStyle.color;
        ctx.beginPath();
      }
      head(e, ctx);
    }
    if (colour) ctx.fill();
    ctx.restore();
  };
  /* A head as vis-network places it (StraightEdge.getArrowData): its tip where the link meets the effect's
     border, 15 × scale factor + 3 × width long, along the link; added to the current path. The border
     point depends only on the two concepts, so it is kept until one of them moves. */
  function head(e, ctx) {
    var f = e.from, t = e.to, o = e.options, at = e.govkgTip;
    if (!at || at.fx !== f.x || at.fy !== f.y || at.tx !== t.x || at.ty !== t.y || at.size !== t.options.size) {
      var angle = Math.atan2(t.y - f.y, t.x - f.x), len = Math.hypot(t.x - f.x, t.y - f.y) || 1;
      var k = (len - t.distanceToBorder(ctx, angle)) / len;
      at = e.govkgTip = { fx: f.x, fy: f.y, tx: t.x, ty: t.y, size: t.options.size, angle: angle,
                          x: f.x + (t.x - f.x) * k, y: f.y + (t.y - f.y) * k };
    }
    var length = 15 * o.arrows.to.scaleFactor + 3 * o.width, cos = Math.cos(at.angle), sin = Math.sin(at.angle);
    var shape = HEADS[e.govkgHead];
    if (!shape) {  // circle: its centre 0.4 of the length back from the tip, radius 0.4 of it
      var cx = at.x - 0.4 * length * cos, cy = at.y - 0.4 * length * sin;
      ctx.moveTo(cx + 0.4 * length, cy);
      ctx.arc(cx, cy, 0.4 * length, 0, 2 * Math.PI);
      return;
    }
    for (var i = 0; i < shape.length; i++) {
      var x = at.x + length * (shape[i][0] * cos - shape[i][1] * sin), y = at.y + length * (shape[i][0] * sin + shape[i][1] * cos);
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    }
    // No closePath: fill() closes every shape itself, and Chromium's closePath grows with the path.
  }
})();
