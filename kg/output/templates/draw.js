/* govkg page: vis-network's drawing made cheap enough for an interaction at thousands of links.

   vis-network draws the whole map for every change; at 1,000 concepts and 4,000 links a redraw is
   most of an interaction's time (graph.js already asks for at most one a frame: govkg.draw). Here:
   - The map as vis-network drew it (links, concepts, arrow heads, labels) is kept as a picture, and
     a redraw that would draw the same map (same camera, data, positions, selection and hover) puts
     the picture back instead: searching, reading, selecting under the veil draw nothing again. What
     the page draws over the map (the veil, the neighbourhood, the overview's labels, the path's
     marks: graph.js's and trace.js's afterDrawing) is drawn every time.
   - Links in view only, set up once per colour, width and dash pattern (vis-network parses each
     one's colour and saves the context for each dashed one), each cut to the view (a long dashed
     link off screen still cost its dashes), its dashes kept in step.
   - Arrow heads only in view, and only at a zoom where they are a few pixels wide.
   What vis-network draws differently (a selected, hovered, curved or labelled link, a loop) it still
   draws itself: the map looks the same, drawn with less work. */
(function () {
  "use strict";
  var api = window.govkg, network = api.network, renderer = network.renderer, body = network.body;
  var container = document.getElementById("graph");
  var BATCH_FROM = 200;  // links drawn; below, vis-network draws each one as it always does
  if (!renderer || ["_drawEdges", "_drawNodes", "_drawArrows", "_drawSelectionBox"].some(function (k) {
    return typeof renderer[k] !== "function";
  })) return;  // another vis-network: draw as it does

  // The part of the map in view, in the map's coordinates, with a margin of `m` screen pixels.
  function inView(m) {
    var a = network.DOMtoCanvas({ x: -m, y: -m }), b = network.DOMtoCanvas({ x: container.clientWidth + m, y: container.clientHeight + m });
    return { x0: a.x, y0: a.y, x1: b.x, y1: b.y };
  }

  // ---- the map kept as a picture ----
  var kept = null, keptKey = null, keptNodes = null, keptEdges = null, reuse = false;
  var veiled = function () { return api.veiled ? api.veiled() : false; };
  function ids(list) { return list.map(function (x) { return x.id; }).sort().join(","); }
  // Everything vis-network's drawing of the map depends on but the data, whose every change gives
  // new lists of drawn concepts and links (vis-network's _updateVisibleIndices), compared as objects.
  function mapKey() {
    var v = body.view, c = network.canvas.frame.canvas, sel = network.selectionHandler, pos = 0;
    for (var i = 0; i < body.nodeIndices.length; i++) {
      var n = body.nodes[body.nodeIndices[i]];
      pos += n.x * (i + 1) + n.y * (i + 7);
    }
    var hover = sel && sel.hoverObj ? Object.keys(sel.hoverObj.nodes).concat(Object.keys(sel.hoverObj.edges)).join(",") : "?";
    // Under the veil the selection cannot be seen on the map (graph.js draws the neighbourhood again on top).
    var chosen = veiled() ? "veiled" : sel ? ids(sel.getSelectedNodes ? sel.getSelectedNodes() : []) + "|" + ids(sel.getSelectedEdges ? sel.getSelectedEdges() : []) : "?";
    return [v.scale, v.translation.x, v.translation.y, c.width, c.height, pos, hover, chosen,
            renderer.dragging, renderer.zooming, renderer.renderingActive].join(";");
  }
  network.on("beforeDrawing", function (ctx) {
    reuse = false;
    if (!kept || renderer.renderingActive || keptNodes !== body.nodeIndices || keptEdges !== body.edgeIndices) return;
    if (mapKey() !== keptKey) return;
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
    keptKey = mapKey(); keptNodes = body.nodeIndices; keptEdges = body.edgeIndices;
  };
  var drawNodes = renderer._drawNodes, drawEachEdge = renderer._drawEdges;
  renderer._drawNodes = function (ctx, hidden) {
    return reuse && !hidden ? { drawExternalLabels: null } : drawNodes.call(renderer, ctx, hidden);
  };

  // ---- links ----
  // What can be drawn in bulk, sorted once for each set of drawn links (each change of the data gives
  // a new body.edgeIndices): plain straight links by colour, width and dashes, and their heads by
  // colour; the rest (curved, labelled, a loop, a head vis-network draws another way) one by one.
  var HEADS = {  // vis-network's arrow heads (its EndPoints), as polygons of unit length pointing along +x
    arrow: [[0, 0], [-1, 0.3], [-0.9, 0], [-1, -0.3]], triangle: [[0.02, 0], [-1, 0.3], [-1, -0.3]],
    diamond: [[0, 0], [-0.5, -0.3], [-1, 0], [-0.5, 0.3]], vee: [[-1, 0.3], [-0.5, 0], [-1, -0.3], [0, 0]],
    bar: [[0, 0.5], [0, -0.5], [-0.15, -0.5], [-0.15, 0.5]], circle: null
  };
  var sorted = { at: null, groups: [], others: [] };
  function sortLinks() {
    if (sorted.at === body.edgeIndices) return sorted;
    var list = body.edgeIndices, byKey = {}, groups = [], others = [];
    for (var i = 0; i < list.length; i++) {
      var e = body.edges[list[i]], o = e.options, c = o.color;
      if (e.from === e.to || (o.smooth && o.smooth.enabled) || o.label || c.inherit || (c.opacity !== undefined && c.opacity !== 1) ||
          (o.shadow && o.shadow.enabled) || typeof c.color !== "string") { others.push(e); continue; }
      var dashes = o.dashes === true ? [5, 5] : o.dashes || null, key = c.color + "|" + o.width + "|" + (dashes ? dashes.join(",") : "");
      if (!byKey[key]) {
        var period = 0;
        (dashes || []).forEach(function (d) { period += d; });
        if (dashes && dashes.length % 2) period *= 2;  // an odd list repeats twice over (canvas's rule)
        groups.push(byKey[key] = { color: c.color, width: o.width, dashes: dashes, period: period, links: [] });
      }
      byKey[key].links.push(e);
      var a = o.arrows;
      // A head drawn in bulk: at the effect only, a shape above, no image, the line running into it (vis-network's default).
      e.govkgHead = a && a.to && a.to.enabled === true && !(a.from && a.from.enabled) && !(a.middle && a.middle.enabled) && !a.to.src &&
        o.arrowStrikethrough !== false && a.to.scaleFactor >= 0 && Object.prototype.hasOwnProperty.call(HEADS, a.to.type || "arrow") ? (a.to.type || "arrow") : null;
    }
    sorted = { at: list, groups: groups, others: others };
    return sorted;
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
    if (body.edgeIndices.length < BATCH_FROM) return drawEachEdge.call(renderer, ctx);
    var v = inView(10), all = sortLinks(), later = [];
    ctx.save();
    ctx.lineCap = "round";  // as vis-network leaves it after its first dashed link
    all.groups.forEach(function (g) {
      ctx.strokeStyle = g.color;
      ctx.lineWidth = g.width;
      ctx.setLineDash(g.dashes || []);
      ctx.lineDashOffset = 0;
      for (var i = 0; i < g.links.length; i++) {
        var e = g.links[i], f = e.from, t = e.to;
        if (e.connected !== true) continue;
        if (e.selected || e.hover) { later.push(e); continue; }
        var part = cut(f.x, f.y, t.x, t.y, v);
        if (!part) continue;
        var len = Math.hypot(t.x - f.x, t.y - f.y) || 1, s = part[0];
        if (g.period) s = Math.floor(s * len / g.period) * g.period / len;  // from a whole dash: the pattern stays in place
        ctx.beginPath();
        ctx.moveTo(f.x + (t.x - f.x) * s, f.y + (t.y - f.y) * s);
        ctx.lineTo(f.x + (t.x - f.x) * part[1], f.y + (t.y - f.y) * part[1]);
        ctx.stroke();
      }
    });
    ctx.restore();
    // The rest as vis-network draws them, over the others (a selected or hovered link on top).
    all.others.concat(later).forEach(function (e) { if (e.connected === true) e.draw(ctx); });
  };

  // ---- arrow heads: only in view, and at a zoom where they are a few pixels wide ----
  renderer._drawArrows = function (ctx) {
    if (reuse) return;
    var list = body.edgeIndices;
    if (body.view.scale < 0.3 && list.length > 300) return;
    var v = inView(40), seen = function (e) { var t = e.to; return e.connected === true && t && t.x >= v.x0 && t.x <= v.x1 && t.y >= v.y0 && t.y <= v.y1; };
    if (list.length < BATCH_FROM) { list.forEach(function (id) { if (seen(body.edges[id])) body.edges[id].drawArrows(ctx); }); return; }
    var all = sortLinks(), byColour = {}, colours = [], alone = [];
    all.groups.forEach(function (g) {
      for (var i = 0; i < g.links.length; i++) {
        var e = g.links[i];
        if (!seen(e)) continue;
        if (!e.govkgHead || e.selected || e.hover) { alone.push(e); continue; }
        if (!byColour[g.color]) { byColour[g.color] = []; colours.push(g.color); }
        byColour[g.color].push(e);
      }
    });
    ctx.save();
    colours.forEach(function (colour) {
      ctx.fillStyle = colour;
      ctx.beginPath();
      byColour[colour].forEach(function (e) { head(e, ctx); });
      ctx.fill();
    });
    ctx.restore();
    all.others.forEach(function (e) { if (seen(e)) e.drawArrows(ctx); });
    alone.forEach(function (e) { e.drawArrows(ctx); });
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
